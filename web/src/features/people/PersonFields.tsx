import { NativeSelect, SimpleGrid, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { fieldError } from "../../components/ErrorAlert";
import { departmentsQuery, jobRolesQuery, locationsQuery, toOptions } from "../org/queries";
import { EMPLOYMENT_LABELS, EMPLOYMENT_TYPES, isOneOf, options } from "./labels";
import { PersonPicker } from "./PersonPicker";
import type { EmploymentType, Person } from "./types";

export const NEW_STATUSES = ["candidate", "pre_hire", "active"] as const;
export type NewStatus = (typeof NEW_STATUSES)[number];

export interface PersonFormValues {
  employeeNumber: string;
  legalName: string;
  preferredName: string;
  workEmail: string;
  departmentId: string;
  jobRoleId: string;
  managerId: string | null;
  managerName: string | null;
  locationId: string;
  employmentType: EmploymentType;
  status: NewStatus;
  startDate: string;
  endDate: string;
}

export const EMPTY_PERSON: PersonFormValues = {
  employeeNumber: "",
  legalName: "",
  preferredName: "",
  workEmail: "",
  departmentId: "",
  jobRoleId: "",
  managerId: null,
  managerName: null,
  locationId: "",
  employmentType: "employee",
  status: "pre_hire",
  startDate: "",
  endDate: "",
};

export function valuesOf(p: Person): PersonFormValues {
  return {
    employeeNumber: p.employeeNumber,
    legalName: p.legalName,
    preferredName: p.preferredName ?? "",
    workEmail: p.workEmail,
    departmentId: p.departmentId ?? "",
    jobRoleId: p.jobRoleId ?? "",
    managerId: p.managerId,
    managerName: p.managerName,
    locationId: p.locationId ?? "",
    employmentType: p.employmentType,
    status: "active",
    startDate: p.startDate ?? "",
    endDate: p.endDate ?? "",
  };
}

/** Messages for required fields left empty, checked before anything is sent. */
export function missingFields(v: PersonFormValues): Record<string, string> {
  const out: Record<string, string> = {};
  if (!v.employeeNumber.trim()) out.employeeNumber = "Enter the employee number";
  if (!v.legalName.trim()) out.legalName = "Enter the legal name";
  if (!v.workEmail.trim()) out.workEmail = "Enter the work email";
  return out;
}

interface PersonFieldsProps {
  value: PersonFormValues;
  onChange: (next: PersonFormValues) => void;
  /** The last server error (field errors come from its problem+json `errors[].path`). */
  error: unknown;
  /** Messages found before sending. */
  local: Record<string, string>;
  /** Editing an existing person (no status; they cannot be their own manager). */
  personId?: string;
}

const NONE = { value: "", label: "None" };

export function PersonFields({ value, onChange, error, local, personId }: PersonFieldsProps) {
  const departments = useQuery(departmentsQuery);
  const jobRoles = useQuery(jobRolesQuery);
  const locations = useQuery(locationsQuery);
  const err = (field: string) => local[field] ?? fieldError(error, field);
  const text = (key: keyof PersonFormValues) => (event: React.ChangeEvent<HTMLInputElement>) =>
    onChange({ ...value, [key]: event.currentTarget.value });
  const select = (key: keyof PersonFormValues) => (event: React.ChangeEvent<HTMLSelectElement>) =>
    onChange({ ...value, [key]: event.currentTarget.value });

  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
      <TextInput
        label="Legal name"
        required
        value={value.legalName}
        onChange={text("legalName")}
        error={err("legalName")}
        data-autofocus
      />
      <TextInput
        label="Preferred name"
        value={value.preferredName}
        onChange={text("preferredName")}
        error={err("preferredName")}
      />
      <TextInput
        label="Work email"
        type="email"
        required
        value={value.workEmail}
        onChange={text("workEmail")}
        error={err("workEmail")}
      />
      <TextInput
        label="Employee number"
        required
        value={value.employeeNumber}
        onChange={text("employeeNumber")}
        error={err("employeeNumber")}
      />
      <NativeSelect
        label="Department"
        value={value.departmentId}
        onChange={select("departmentId")}
        error={err("departmentId")}
        data={[NONE, ...toOptions(departments.data, (d) => d.name)]}
      />
      <NativeSelect
        label="Job role"
        value={value.jobRoleId}
        onChange={select("jobRoleId")}
        error={err("jobRoleId")}
        data={[NONE, ...toOptions(jobRoles.data, (j) => j.title)]}
      />
      <PersonPicker
        label="Manager"
        value={value.managerId}
        valueLabel={value.managerName}
        excludeId={personId}
        onChange={(id, name) => onChange({ ...value, managerId: id, managerName: name })}
        error={err("managerId")}
      />
      <NativeSelect
        label="Location"
        value={value.locationId}
        onChange={select("locationId")}
        error={err("locationId")}
        data={[NONE, ...toOptions(locations.data, (l) => `${l.name} (${l.timeZone})`)]}
      />
      <NativeSelect
        label="Employment type"
        value={value.employmentType}
        onChange={(event) => {
          const next = event.currentTarget.value;
          if (isOneOf(EMPLOYMENT_TYPES, next)) onChange({ ...value, employmentType: next });
        }}
        error={err("employmentType")}
        data={options(EMPLOYMENT_TYPES, EMPLOYMENT_LABELS)}
      />
      {personId ? null : (
        <NativeSelect
          label="Status"
          value={value.status}
          onChange={(event) => {
            const next = event.currentTarget.value;
            if (isOneOf(NEW_STATUSES, next)) onChange({ ...value, status: next });
          }}
          error={err("status")}
          data={[
            { value: "candidate", label: "Candidate" },
            { value: "pre_hire", label: "Pre-hire (hired, not started)" },
            { value: "active", label: "Active" },
          ]}
        />
      )}
      <TextInput
        label="Start date"
        type="date"
        value={value.startDate}
        onChange={text("startDate")}
        error={err("startDate")}
      />
      <TextInput
        label="End date"
        type="date"
        value={value.endDate}
        onChange={text("endDate")}
        error={err("endDate")}
      />
    </SimpleGrid>
  );
}
