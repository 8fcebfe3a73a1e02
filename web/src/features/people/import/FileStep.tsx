import { Alert, Anchor, Group, Input, Stack, Text } from "@mantine/core";
import { useId, useState } from "react";
import { countDataLines, formatBytes, parseHeader } from "./csvHeader";
import { MAX_IMPORT_BYTES } from "./upload";

export interface ChosenFile {
  file: File;
  headers: string[];
  lines: number;
}

/** Step 1: pick the CSV; it is read here (header and line count) before anything is sent. */
export function FileStep({
  chosen,
  onChosen,
}: {
  chosen: ChosenFile | null;
  onChosen: (f: ChosenFile | null) => void;
}) {
  const id = useId();
  const [problem, setProblem] = useState<string | null>(null);
  const [reading, setReading] = useState(false);

  async function choose(file: File | undefined) {
    setProblem(null);
    onChosen(null);
    if (!file) return;
    if (file.size > MAX_IMPORT_BYTES) {
      setProblem(
        `${file.name} is ${formatBytes(file.size)}; the limit is 50 MB. Split the file and import the parts.`,
      );
      return;
    }
    if (file.size === 0) {
      setProblem(`${file.name} is empty.`);
      return;
    }
    setReading(true);
    try {
      const text = await file.text();
      const headers = parseHeader(text);
      if (headers.length === 0 || headers.every((h) => h === "")) {
        setProblem("The file has no header line. The first line must name the columns.");
        return;
      }
      onChosen({ file, headers, lines: countDataLines(text) });
    } catch {
      setProblem("The file could not be read.");
    } finally {
      setReading(false);
    }
  }

  return (
    <Stack gap="md" maw={640}>
      <Text>
        Export your people from the HR system as CSV (UTF-8), one line per person, with a header line. Columns
        with other names are matched in the next step.{" "}
        <Anchor href="/api/v1/people/import/template" download>
          Download a template
        </Anchor>
        .
      </Text>
      <Input.Wrapper label="CSV file" description="Up to 50 MB." id={id} error={problem}>
        <input
          id={id}
          type="file"
          accept=".csv,text/csv"
          onChange={(event) => void choose(event.currentTarget.files?.[0])}
          style={{ display: "block", marginTop: 6 }}
          aria-invalid={problem ? true : undefined}
        />
      </Input.Wrapper>
      {reading ? <Text size="sm">Reading the file…</Text> : null}
      {chosen ? (
        <Alert color="teal" variant="light" title={chosen.file.name}>
          <Group gap="lg">
            <Text size="sm">{formatBytes(chosen.file.size)}</Text>
            <Text size="sm">about {chosen.lines.toLocaleString()} people</Text>
            <Text size="sm">{chosen.headers.length} columns</Text>
          </Group>
        </Alert>
      ) : null}
    </Stack>
  );
}
