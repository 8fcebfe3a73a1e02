import { Button, Group, Modal, Stack } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { orgKey } from "../org/queries";
import { EMPTY_PERSON, missingFields, PersonFields, type PersonFormValues } from "./PersonFields";
import { peopleKey } from "./queries";
import type { NewPersonBody } from "./types";

const FIELDS = [
  "employeeNumber",
  "legalName",
  "preferredName",
  "workEmail",
  "departmentId",
  "jobRoleId",
  "managerId",
  "locationId",
  "employmentType",
  "status",
  "startDate",
  "endDate",
];

function toBody(v: PersonFormValues): NewPersonBody {
  return {
    employeeNumber: v.employeeNumber.trim(),
    legalName: v.legalName.trim(),
    preferredName: v.preferredName.trim() || null,
    workEmail: v.workEmail.trim(),
    departmentId: v.departmentId || null,
    jobRoleId: v.jobRoleId || null,
    managerId: v.managerId,
    locationId: v.locationId || null,
    employmentType: v.employmentType,
    status: v.status,
    startDate: v.startDate || null,
    endDate: v.endDate || null,
  };
}

export function AddPersonModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [values, setValues] = useState<PersonFormValues>(EMPTY_PERSON);
  const [local, setLocal] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: async (body: NewPersonBody) => expectData(await api.POST("/api/v1/people", { body })),
    onSuccess: async (person) => {
      await queryClient.invalidateQueries({ queryKey: peopleKey });
      await queryClient.invalidateQueries({ queryKey: orgKey });
      close();
      await navigate({ to: "/people/$id", params: { id: person.id } });
    },
  });

  function close() {
    onClose();
    setValues(EMPTY_PERSON);
    setLocal({});
    create.reset();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const missing = missingFields(values);
    setLocal(missing);
    if (Object.keys(missing).length === 0) create.mutate(toBody(values));
  }

  return (
    <Modal opened={opened} onClose={close} title="Add person" size="xl">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <ErrorAlert error={create.error} title="Could not add the person" shownFields={FIELDS} />
          <PersonFields value={values} onChange={setValues} error={create.error} local={local} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Add person
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
