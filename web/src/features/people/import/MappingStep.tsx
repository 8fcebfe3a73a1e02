import { Alert, Checkbox, List, NativeSelect, Stack, Table, Text } from "@mantine/core";
import { ScrollTable } from "../../../components/ScrollTable";
import { FIELD_LABELS, IMPORT_FIELDS, isImportField, matchedByServer } from "./fields";
import { type ColumnChoice, choiceProblems } from "./mapping";

interface MappingStepProps {
  headers: string[];
  choice: ColumnChoice;
  onChoice: (next: ColumnChoice) => void;
  createMissingOrg: boolean;
  onCreateMissingOrg: (value: boolean) => void;
}

const FIELD_OPTIONS = IMPORT_FIELDS.map((f) => ({ value: f, label: FIELD_LABELS[f] }));

/** Step 2: which Tandem field each column of the file holds; obvious matches are chosen already. */
export function MappingStep({
  headers,
  choice,
  onChoice,
  createMissingOrg,
  onCreateMissingOrg,
}: MappingStepProps) {
  const problems = choiceProblems(choice);
  return (
    <Stack gap="md">
      <Text>
        Check what each column of your file holds. Columns set to “Ignore” are not imported. Departments, job
        roles and locations are matched by name.
      </Text>
      {problems.length > 0 ? (
        <Alert color="orange" variant="light" title="Fix the mapping to go on">
          <List size="sm">
            {problems.map((p) => (
              <List.Item key={p}>{p}</List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
      <ScrollTable label="Column mapping" minWidth={520}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Column in the file</Table.Th>
            <Table.Th scope="col">Imported as</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {headers.map((header, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the file's columns, in file order; names may repeat
            <Table.Tr key={`${header}-${i}`}>
              <Table.Td>{header || <Text c="dimmed">(no name)</Text>}</Table.Td>
              <Table.Td>
                <NativeSelect
                  aria-label={`Field for the column ${header || i + 1}`}
                  value={choice[header] ?? ""}
                  onChange={(event) => {
                    const value = event.currentTarget.value;
                    onChoice({ ...choice, [header]: isImportField(value) ? value : "" });
                  }}
                  data={
                    matchedByServer(header)
                      ? FIELD_OPTIONS
                      : [{ value: "", label: "Ignore" }, ...FIELD_OPTIONS]
                  }
                  maw={320}
                />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </ScrollTable>
      <Checkbox
        label="Create departments, job roles and locations that the file names but Tandem does not know yet"
        description="Otherwise such rows are reported as errors. New locations start in UTC; set their time zone afterwards."
        checked={createMissingOrg}
        onChange={(event) => onCreateMissingOrg(event.currentTarget.checked)}
      />
    </Stack>
  );
}
