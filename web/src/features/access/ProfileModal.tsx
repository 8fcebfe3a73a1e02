import {
  ActionIcon,
  Button,
  Fieldset,
  Group,
  Modal,
  NativeSelect,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { departmentsQuery, jobRolesQuery, locationsQuery, toOptions } from "../org/queries";
import { EMPLOYMENT_LABELS, EMPLOYMENT_TYPES } from "../people/labels";
import type { EmploymentType } from "../people/types";
import { errorsUnder, pathErrors, shownKey } from "./fieldErrors";
import { isOneOf, options } from "./labels";
import { accessKey, entitlementsQuery, systemsQuery } from "./queries";
import type { Profile, ProfileBody } from "./types";

interface Row {
  /** Stable key for React while rows are added and removed. */
  key: number;
  systemId: string;
  /** "" = an account on the system with no entitlement. */
  entitlementId: string;
}

const ANY = { value: "", label: "Anyone" };
const TOP_FIELDS = ["name", "description", "jobRoleId", "departmentId", "locationId", "employmentType"];

let nextKey = 1;
const newRow = (systemId = "", entitlementId = ""): Row => ({ key: nextKey++, systemId, entitlementId });

function EntitlementRow({
  row,
  index,
  systems,
  errors,
  onChange,
  onRemove,
}: {
  row: Row;
  index: number;
  systems: { value: string; label: string }[];
  errors: Record<string, string>;
  onChange: (row: Row) => void;
  onRemove: () => void;
}) {
  const entitlements = useQuery({ ...entitlementsQuery(row.systemId), enabled: !!row.systemId });
  const rowError = errors[String(index)];
  const entitlementOptions = [
    { value: "", label: "Account only (no entitlement)" },
    ...toOptions(entitlements.data, (e) => e.name),
  ];
  // A saved entitlement the list no longer has still shows, so the server's message has a place.
  if (row.entitlementId && !entitlementOptions.some((o) => o.value === row.entitlementId)) {
    entitlementOptions.push({
      value: row.entitlementId,
      label: `Unknown entitlement (${row.entitlementId})`,
    });
  }
  return (
    <Group align="flex-start" wrap="nowrap" gap="xs">
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" style={{ flex: 1 }}>
        <NativeSelect
          label={`System ${index + 1}`}
          value={row.systemId}
          onChange={(e) => onChange({ ...row, systemId: e.currentTarget.value, entitlementId: "" })}
          data={[{ value: "", label: "Choose a system" }, ...systems]}
          error={errors[`${index}.systemId`] ?? rowError}
        />
        <NativeSelect
          label={`What it gives on system ${index + 1}`}
          value={row.entitlementId}
          onChange={(e) => onChange({ ...row, entitlementId: e.currentTarget.value })}
          data={entitlementOptions}
          disabled={!row.systemId}
          error={errors[`${index}.entitlementId`]}
        />
      </SimpleGrid>
      <ActionIcon
        variant="subtle"
        color="gray"
        mt={26}
        aria-label={`Remove line ${index + 1}`}
        onClick={onRemove}
      >
        ×
      </ActionIcon>
    </Group>
  );
}

/** Adds (profile null) or replaces an access profile: who it matches and what it gives. */
export function ProfileModal({ profile, onClose }: { profile: Profile | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [jobRoles, departments, locations] = useQueries({
    queries: [jobRolesQuery, departmentsQuery, locationsQuery],
  });
  const systems = useQuery(systemsQuery);
  const [name, setName] = useState(profile?.name ?? "");
  const [description, setDescription] = useState(profile?.description ?? "");
  const [jobRoleId, setJobRoleId] = useState(profile?.jobRoleId ?? "");
  const [departmentId, setDepartmentId] = useState(profile?.departmentId ?? "");
  const [locationId, setLocationId] = useState(profile?.locationId ?? "");
  const [employmentType, setEmploymentType] = useState<EmploymentType | "">(profile?.employmentType ?? "");
  const [rows, setRows] = useState<Row[]>(() =>
    (profile?.entitlements ?? []).map((e) => newRow(e.systemId, e.entitlementId ?? "")),
  );
  const [local, setLocal] = useState<Record<string, string>>({});

  const save = useMutation({
    mutationFn: async (body: ProfileBody) =>
      profile
        ? expectData(
            await api.PUT("/api/v1/access/profiles/{id}", { params: { path: { id: profile.id } }, body }),
          )
        : expectData(await api.POST("/api/v1/access/profiles", { body })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: accessKey });
      onClose();
    },
  });

  const serverTop = (field: string) => pathErrors(save.error).find((e) => e.path === field)?.message;
  const err = (field: string) => local[field] ?? serverTop(field);
  const rowErrors = { ...errorsUnder(save.error, "entitlements"), ...local };
  const shown = pathErrors(save.error)
    .filter((e) => TOP_FIELDS.includes(e.path) || /^entitlements\.\d+(\.|$)/.test(e.path))
    .map((e) => shownKey(e.path));
  const systemOptions = toOptions(systems.data, (s) => (s.enabled ? s.name : `${s.name} (switched off)`));

  /** Row messages name rows by position: once a row is removed, old messages would point at the wrong one. */
  function removeRow(next: Row[]) {
    setRows(next);
    setLocal((l) => Object.fromEntries(Object.entries(l).filter(([k]) => !/^\d+\./.test(k))));
    if (save.error && Object.keys(errorsUnder(save.error, "entitlements")).length) save.reset();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!name.trim()) found.name = "Enter the profile's name";
    rows.forEach((r, i) => {
      if (!r.systemId) found[`${i}.systemId`] = "Choose a system, or remove this line";
    });
    setLocal(found);
    if (Object.keys(found).length) return;
    save.mutate({
      name: name.trim(),
      description: description.trim() || null,
      jobRoleId: jobRoleId || null,
      departmentId: departmentId || null,
      locationId: locationId || null,
      employmentType: employmentType || null,
      entitlements: rows.map((r) => ({ systemId: r.systemId, entitlementId: r.entitlementId || null })),
    });
  }

  return (
    <Modal opened onClose={onClose} title={profile ? `Edit ${profile.name}` : "Add access profile"} size="xl">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <ErrorAlert error={save.error} title="Could not save the profile" shownFields={shown} />
          <TextInput
            label="Name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={err("name")}
            data-autofocus
          />
          <Textarea
            label="Description"
            autosize
            minRows={2}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={err("description")}
          />
          <Fieldset legend="Who gets it">
            <Text size="sm" c="dimmed" mb="sm">
              A person matches when every criterion set here fits them. Leave all on "Anyone" for access
              everyone gets (birthright access).
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
              <NativeSelect
                label="Job role"
                value={jobRoleId}
                onChange={(e) => setJobRoleId(e.currentTarget.value)}
                data={[ANY, ...toOptions(jobRoles.data, (j) => j.title)]}
                error={err("jobRoleId")}
              />
              <NativeSelect
                label="Department"
                value={departmentId}
                onChange={(e) => setDepartmentId(e.currentTarget.value)}
                data={[ANY, ...toOptions(departments.data, (d) => d.name)]}
                error={err("departmentId")}
              />
              <NativeSelect
                label="Location"
                value={locationId}
                onChange={(e) => setLocationId(e.currentTarget.value)}
                data={[ANY, ...toOptions(locations.data, (l) => l.name)]}
                error={err("locationId")}
              />
              <NativeSelect
                label="Employment type"
                value={employmentType}
                onChange={(e) => {
                  const next = e.currentTarget.value;
                  setEmploymentType(isOneOf(EMPLOYMENT_TYPES, next) ? next : "");
                }}
                data={[ANY, ...options(EMPLOYMENT_TYPES, EMPLOYMENT_LABELS)]}
                error={err("employmentType")}
              />
            </SimpleGrid>
          </Fieldset>
          <Fieldset legend="What it gives">
            <Stack gap="sm">
              <Text size="sm" c="dimmed">
                Each line gives an account on a system, with one of its entitlements or none.
              </Text>
              {rows.length === 0 ? <Text size="sm">Nothing yet: add a system.</Text> : null}
              {rows.map((row, i) => (
                <EntitlementRow
                  key={row.key}
                  row={row}
                  index={i}
                  systems={systemOptions}
                  errors={rowErrors}
                  onChange={(next) => setRows(rows.map((r) => (r.key === row.key ? next : r)))}
                  onRemove={() => removeRow(rows.filter((r) => r.key !== row.key))}
                />
              ))}
              {systems.isSuccess && systemOptions.length === 0 ? (
                <Text size="sm" c="dimmed">
                  There are no systems yet: add one under Systems first.
                </Text>
              ) : null}
              <Group>
                <Button variant="default" onClick={() => setRows([...rows, newRow()])}>
                  Add a system
                </Button>
              </Group>
            </Stack>
          </Fieldset>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {profile ? "Save changes" : "Add profile"}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
