import { Readable } from "node:stream";
import { CsvError, parse } from "csv-parse";

/** The columns a people CSV can carry (header names, matched case-insensitively). */
export const FIELDS = [
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
export type Field = (typeof FIELDS)[number];

export const isField = (s: string): s is Field => (FIELDS as readonly string[]).includes(s);

/** "Employee Number", "employee-number" and "EMPLOYEE_NUMBER" all name employee_number. */
export const normalizeHeader = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");

/** Opens the file's bytes; called once per pass (a dry run reads the file once, an apply two or more times). */
export type CsvInput = () => AsyncIterable<Buffer | string> | Readable;

/** A problem with one line of the file (line numbers count physical lines from 1, the header included). */
export interface LineError {
  line: number;
  field: Field | null;
  message: string;
  employeeNumber?: string;
}

export interface CsvHeader {
  /** Field of each column position, or null for columns that are ignored. */
  columns: (Field | null)[];
  present: Set<Field>;
  ignored: string[];
}

export type CsvEvent =
  | { kind: "header"; header: CsvHeader }
  | { kind: "row"; line: number; values: Partial<Record<Field, string>> }
  | { kind: "error"; error: LineError; fatal: boolean };

class FileProblem extends Error {}

/**
 * Passes the bytes through without a UTF-8 byte order mark, refusing UTF-16 files (a common
 * "Unicode text" export) up front.
 */
async function* checkedBytes(input: CsvInput): AsyncGenerator<Buffer> {
  let head: Buffer | null = Buffer.alloc(0);
  for await (const chunk of input()) {
    const b = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    if (head === null) {
      yield b;
      continue;
    }
    head = Buffer.concat([head, b]);
    if (head.length < 3) continue;
    yield startOf(head);
    head = null;
  }
  if (head?.length) yield startOf(head);
}

function startOf(b: Buffer): Buffer {
  if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))
    throw new FileProblem("The file is UTF-16 encoded; save it as CSV UTF-8 and try again");
  return b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? b.subarray(3) : b;
}

/** Line breaks inside a (quoted) field: CRLF, LF and a lone CR each count once. */
function breaksIn(f: string): number {
  if (f.indexOf("\n") < 0 && f.indexOf("\r") < 0) return 0;
  let n = 0;
  for (let i = 0; i < f.length; i++) {
    const c = f.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13 && f.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}

function headerOf(cells: string[], mapping: Record<string, Field>): { header?: CsvHeader; error?: string } {
  const columns: (Field | null)[] = [];
  const present = new Set<Field>();
  const ignored: string[] = [];
  const seen = new Map<Field, string>();
  for (const cell of cells) {
    const key = normalizeHeader(cell);
    const field = mapping[key] ?? (isField(key) ? key : null);
    if (field && seen.has(field))
      return { error: `Columns "${seen.get(field)}" and "${cell}" both give ${field}` };
    if (field) {
      seen.set(field, cell);
      present.add(field);
    } else if (cell.trim()) ignored.push(cell.trim());
    columns.push(field);
  }
  if (!present.has("employee_number")) {
    return {
      error: `No employee_number column (found: ${cells.map((c) => c.trim()).join(", ") || "nothing"}); map one with the column mapping`,
    };
  }
  return { header: { columns, present, ignored } };
}

/**
 * Reads a people CSV row by row without holding the file: BOM, quoted fields with commas and
 * line breaks, CRLF and empty lines are handled; ragged rows and invalid UTF-8 are reported
 * with their line and the reading goes on; malformed quoting ends the reading (reported too).
 * Line numbers are physical lines from 1 (the header), as an editor shows them.
 */
export async function* readCsv(
  input: CsvInput,
  mapping: Record<string, Field> = {},
): AsyncGenerator<CsvEvent> {
  // Fields are decoded as UTF-8 one by one; a byte that is not UTF-8 becomes U+FFFD, reported below.
  // Empty lines come through as records of one empty field, so every line is counted here.
  const parser = parse({ encoding: "utf8", bom: false, relax_column_count: true, skip_empty_lines: false });
  const source = Readable.from(checkedBytes(input));
  source.on("error", (e) => parser.destroy(e));
  source.pipe(parser);
  let header: CsvHeader | undefined;
  let nextLine = 1;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const line = nextLine;
      let breaks = 0;
      for (const f of record) breaks += breaksIn(f);
      nextLine = line + breaks + 1;
      if (record.every((c) => c.trim() === "")) continue;
      const bad = record.findIndex((f) => f.includes(REPLACEMENT));
      if (!header) {
        if (bad >= 0) {
          yield fatal(line, "The header line is not valid UTF-8; save the file as CSV UTF-8");
          return;
        }
        const h = headerOf(record, mapping);
        if (!h.header) {
          yield fatal(
            line,
            h.error as string,
            h.error?.startsWith("No employee_number") ? "employee_number" : null,
          );
          return;
        }
        header = h.header;
        yield { kind: "header", header };
        continue;
      }
      if (bad >= 0) {
        yield {
          kind: "error",
          fatal: false,
          error: {
            line,
            field: header.columns[bad] ?? null,
            message: `Not valid UTF-8 (column ${bad + 1}); save the file as CSV UTF-8`,
          },
        };
        continue;
      }
      if (record.length !== header.columns.length) {
        yield {
          kind: "error",
          fatal: false,
          error: {
            line,
            field: null,
            message: `Has ${record.length} fields where the header has ${header.columns.length}`,
          },
        };
        continue;
      }
      const values: Partial<Record<Field, string>> = {};
      for (let i = 0; i < record.length; i++) {
        const field = header.columns[i];
        if (field) values[field] = (record[i] as string).trim();
      }
      yield { kind: "row", line, values };
    }
  } catch (e) {
    if (e instanceof FileProblem) {
      yield fatal(1, e.message);
      return;
    }
    if (e instanceof CsvError) {
      const at = (e as CsvError & { lines?: number }).lines ?? nextLine;
      yield fatal(at, `The CSV is malformed here: ${e.message.replace(/ at line \d+.*$/, "")}`);
      return;
    }
    throw e;
  } finally {
    source.destroy();
  }
  if (!header) yield fatal(1, "The file is empty: it needs a header line and one line per person");
}

/** What a decoder puts where bytes are not UTF-8 (and what a badly converted file already holds). */
const REPLACEMENT = "\uFFFD";

function fatal(line: number, message: string, field: Field | null = null): CsvEvent {
  return { kind: "error", fatal: true, error: { line, field, message } };
}

/** The header line of an import file with every column. */
export const TEMPLATE_HEADER = `${FIELDS.join(",")}\r\n`;

/** A file already in memory, handed to the parser in 64 KiB slices (so rows still stream). */
export function bufferInput(buf: Buffer): CsvInput {
  return function* () {
    for (let i = 0; i < buf.length; i += 65_536) yield buf.subarray(i, i + 65_536);
  } as unknown as CsvInput;
}
