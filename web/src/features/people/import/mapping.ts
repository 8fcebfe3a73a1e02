import { autoMatch, FIELD_LABELS, type ImportField, normalizeHeader } from "./fields";

/** Chosen field per CSV header ("" = ignore the column). */
export type ColumnChoice = Record<string, ImportField | "">;

export function initialChoice(headers: string[]): ColumnChoice {
  const out: ColumnChoice = {};
  const taken = new Set<ImportField>();
  for (const h of headers) {
    const field = autoMatch(h);
    out[h] = field && !taken.has(field) ? field : "";
    if (field) taken.add(field);
  }
  return out;
}

/** Problems that would make the server refuse the header line. */
export function choiceProblems(choice: ColumnChoice): string[] {
  const problems: string[] = [];
  const fields = Object.values(choice).filter((f): f is ImportField => f !== "");
  if (!fields.includes("employee_number")) problems.push("Choose the column that holds the employee number.");
  const seen = new Set<ImportField>();
  for (const f of fields) {
    if (seen.has(f)) problems.push(`Two columns give “${FIELD_LABELS[f]}”; keep one.`);
    seen.add(f);
  }
  return problems;
}

/** The mapping the API wants: only headers whose field differs from their own (normalised) name. */
export function toMapping(choice: ColumnChoice): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [header, field] of Object.entries(choice)) {
    if (field && normalizeHeader(header) !== field) out[header] = field;
  }
  return out;
}
