/**
 * Reads the header line of a CSV text: a UTF-8 byte order mark is dropped, quoted cells may
 * hold commas, doubled quotes and line breaks. Only the first record is read.
 */
export function parseHeader(text: string): string[] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
      continue;
    }
    if (c === '"' && cell === "") quoted = true;
    else if (c === ",") {
      cells.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (cells.length > 0 || cell !== "") break;
    } else cell += c;
  }
  if (cell !== "" || cells.length > 0) cells.push(cell);
  return cells.map((h) => h.trim());
}

/** Non-empty lines after the header (a quick count: quoted line breaks count twice). */
export function countDataLines(text: string): number {
  let lines = 0;
  let blank = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      if (!blank) lines++;
      blank = true;
    } else if (c !== 32 && c !== 9) blank = false;
  }
  if (!blank) lines++;
  return Math.max(0, lines - 1);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
