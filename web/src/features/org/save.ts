import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, expectData } from "../../api/client";
import { peopleKey } from "../people/queries";
import { orgKey } from "./queries";
import type { DepartmentBody, JobRoleBody, LocationBody } from "./types";

async function saveDepartment(id: string | null, body: DepartmentBody) {
  return id
    ? expectData(await api.PUT("/api/v1/departments/{id}", { params: { path: { id } }, body }))
    : expectData(await api.POST("/api/v1/departments", { body }));
}

async function saveJobRole(id: string | null, body: JobRoleBody) {
  return id
    ? expectData(await api.PUT("/api/v1/job-roles/{id}", { params: { path: { id } }, body }))
    : expectData(await api.POST("/api/v1/job-roles", { body }));
}

async function saveLocation(id: string | null, body: LocationBody) {
  return id
    ? expectData(await api.PUT("/api/v1/locations/{id}", { params: { path: { id } }, body }))
    : expectData(await api.POST("/api/v1/locations", { body }));
}

/** Create (id null) or change one department / job role / location, then refresh org lists and people. */
function useSave<B>(save: (id: string | null, body: B) => Promise<{ id: string }>, onDone: () => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string | null; body: B }) => save(id, body),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: orgKey });
      await queryClient.invalidateQueries({ queryKey: peopleKey });
      onDone();
    },
  });
}

export const useSaveDepartment = (onDone: () => void) => useSave(saveDepartment, onDone);
export const useSaveJobRole = (onDone: () => void) => useSave(saveJobRole, onDone);
export const useSaveLocation = (onDone: () => void) => useSave(saveLocation, onDone);
