/** The columns a people CSV can carry (the server's field names) and how the wizard shows them. */
export const IMPORT_FIELDS = [
  "employee_number",
  "legal_name",
  "preferred_name",
  "work_email",
  "department",
  "job_role",
  "manager_employee_number",
  "location",
  "employment_type",
  "status",
  "start_date",
  "end_date",
  "termination_type",
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

export const FIELD_LABELS: Record<ImportField, string> = {
  employee_number: "Employee number (required)",
  legal_name: "Legal name",
  preferred_name: "Preferred name",
  work_email: "Work email",
  department: "Department (name)",
  job_role: "Job role (title)",
  manager_employee_number: "Manager's employee number",
  location: "Location (name)",
  employment_type: "Employment type",
  status: "Status",
  start_date: "Start date",
  end_date: "End date",
  termination_type: "Termination type",
};

export function isImportField(value: string): value is ImportField {
  return (IMPORT_FIELDS as readonly string[]).includes(value);
}

/** The server's header matching: "Employee Number", "employee-number" → "employee_number". */
export function normalizeHeader(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
}

/** Common names HR systems give these columns (compared after normalising). */
const SYNONYMS: Record<string, ImportField> = {
  employee_id: "employee_number",
  employee_no: "employee_number",
  emp_no: "employee_number",
  personnel_no: "employee_number",
  personnel_number: "employee_number",
  staff_id: "employee_number",
  staff_number: "employee_number",
  name: "legal_name",
  full_name: "legal_name",
  employee_name: "legal_name",
  known_as: "preferred_name",
  nickname: "preferred_name",
  email: "work_email",
  email_address: "work_email",
  work_email_address: "work_email",
  business_email: "work_email",
  dept: "department",
  department_name: "department",
  job_title: "job_role",
  title: "job_role",
  position: "job_role",
  role: "job_role",
  manager_id: "manager_employee_number",
  manager_number: "manager_employee_number",
  manager_employee_id: "manager_employee_number",
  manager_no: "manager_employee_number",
  reports_to: "manager_employee_number",
  office: "location",
  site: "location",
  work_location: "location",
  worker_type: "employment_type",
  contract_type: "employment_type",
  employment_status: "status",
  hire_date: "start_date",
  date_of_joining: "start_date",
  start: "start_date",
  termination_date: "end_date",
  leaving_date: "end_date",
  end: "end_date",
  leaving_type: "termination_type",
};

/** The field a header names: exactly (as the server matches it) or by a common synonym. */
export function autoMatch(header: string): ImportField | null {
  const key = normalizeHeader(header).replace(/[^a-z0-9_]/g, "");
  if (isImportField(normalizeHeader(header))) return normalizeHeader(header) as ImportField;
  return SYNONYMS[key] ?? null;
}

/** The server itself maps this header (by its exact name), so it cannot be ignored, only re-mapped. */
export function matchedByServer(header: string): boolean {
  return isImportField(normalizeHeader(header));
}
