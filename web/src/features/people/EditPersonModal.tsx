import { Alert, Button, Group, Modal, Stack } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiError, api, expectData } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { orgKey } from "../org/queries";
import { missingFields, PersonFields, type PersonFormValues, valuesOf } from "./PersonFields";
import { type PersonWithEtag, peopleKey, personQuery } from "./queries";
import type { PersonPatchBody } from "./types";

const SHOWN = [
  "employeeNumber",
  "legalName",
  "preferredName",
  "workEmail",
  "departmentId",
  "jobRoleId",
  "managerId",
  "locationId",
  "employmentType",
  "startDate",
  "endDate",
];

/** Only what changed, so a concurrent edit of another field is not overwritten. */
function patchOf(before: PersonFormValues, after: PersonFormValues): PersonPatchBody {
  const body: PersonPatchBody = {};
  const trimmed = (s: string) => s.trim();
  if (trimmed(after.legalName) !== before.legalName) body.legalName = trimmed(after.legalName);
  if (trimmed(after.preferredName) !== before.preferredName)
    body.preferredName = trimmed(after.preferredName) || null;
  if (trimmed(after.workEmail) !== before.workEmail) body.workEmail = trimmed(after.workEmail);
  if (trimmed(after.employeeNumber) !== before.employeeNumber)
    body.employeeNumber = trimmed(after.employeeNumber);
  if (after.departmentId !== before.departmentId) body.departmentId = after.departmentId || null;
  if (after.jobRoleId !== before.jobRoleId) body.jobRoleId = after.jobRoleId || null;
  if (after.managerId !== before.managerId) body.managerId = after.managerId;
  if (after.locationId !== before.locationId) body.locationId = after.locationId || null;
  if (after.employmentType !== before.employmentType) body.employmentType = after.employmentType;
  if (after.startDate !== before.startDate) body.startDate = after.startDate || null;
  if (after.endDate !== before.endDate) body.endDate = after.endDate || null;
  return body;
}

interface EditPersonModalProps {
  current: PersonWithEtag;
  opened: boolean;
  onClose: () => void;
}

/** Edits the record with If-Match: if someone else changed it meanwhile (412), reload and say so. */
export function EditPersonModal({ current, opened, onClose }: EditPersonModalProps) {
  const queryClient = useQueryClient();
  const [base, setBase] = useState<PersonWithEtag>(current);
  const [values, setValues] = useState<PersonFormValues>(() => valuesOf(current.person));
  const [local, setLocal] = useState<Record<string, string>>({});
  const [reloaded, setReloaded] = useState(false);
  const save = useMutation({
    mutationFn: async ({ body, etag }: { body: PersonPatchBody; etag: string }) =>
      expectData(
        await api.PATCH("/api/v1/people/{id}", {
          params: { path: { id: base.person.id }, header: { "if-match": etag } },
          body,
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: peopleKey });
      await queryClient.invalidateQueries({ queryKey: orgKey });
      onClose();
    },
    onError: async (error) => {
      if (!(error instanceof ApiError) || error.status !== 412) return;
      const fresh = await queryClient.fetchQuery({ ...personQuery(base.person.id), staleTime: 0 });
      setBase(fresh);
      setValues(valuesOf(fresh.person));
      setReloaded(true);
    },
  });
  const stale = save.error instanceof ApiError && save.error.status === 412;

  function submit(event: FormEvent) {
    event.preventDefault();
    const missing = missingFields(values);
    setLocal(missing);
    if (Object.keys(missing).length > 0) return;
    const body = patchOf(valuesOf(base.person), values);
    if (Object.keys(body).length === 0) {
      onClose();
      return;
    }
    setReloaded(false);
    save.mutate({ body, etag: base.etag });
  }

  return (
    <Modal opened={opened} onClose={onClose} title={`Edit ${base.person.displayName}`} size="xl">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {stale || reloaded ? (
            <Alert
              color="orange"
              variant="light"
              title="The record changed while you were editing"
              role="alert"
            >
              Someone else saved this person after you opened the form. The latest version is loaded below;
              make your changes again and save.
            </Alert>
          ) : (
            <ErrorAlert error={save.error} title="Could not save the changes" shownFields={SHOWN} />
          )}
          <PersonFields
            value={values}
            onChange={setValues}
            error={stale ? null : save.error}
            local={local}
            personId={base.person.id}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              Save changes
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
