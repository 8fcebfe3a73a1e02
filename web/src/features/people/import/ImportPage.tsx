import { Alert, Button, Group, Stack, Stepper, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { currentCsrfToken } from "../../../app/session";
import { ErrorAlert } from "../../../components/ErrorAlert";
import { ButtonLink } from "../../../components/links";
import { PageHeader } from "../../../components/PageHeader";
import { orgKey } from "../../org/queries";
import { peopleKey } from "../queries";
import type { ImportResult } from "../types";
import { type ChosenFile, FileStep } from "./FileStep";
import { ChangesTable, CountsGrid, ErrorTable } from "./ImportSummary";
import { MappingStep } from "./MappingStep";
import { type ColumnChoice, choiceProblems, initialChoice, toMapping } from "./mapping";
import { RunsList } from "./RunsList";
import { SendProgress } from "./SendProgress";
import { ImportRefused, sendImport } from "./upload";

export function ImportPage() {
  const queryClient = useQueryClient();
  const [step, setStep] = useState(0);
  const [chosen, setChosen] = useState<ChosenFile | null>(null);
  const [choice, setChoice] = useState<ColumnChoice>({});
  const [createMissingOrg, setCreateMissingOrg] = useState(false);
  const [uploaded, setUploaded] = useState(0);
  const send = useMutation({
    mutationFn: async (mode: "preview" | "apply") => {
      if (!chosen) throw new Error("Choose a file first.");
      setUploaded(0);
      return sendImport({
        mode,
        file: chosen.file,
        fileName: chosen.file.name,
        mapping: toMapping(choice),
        createMissingOrg,
        csrfToken: await currentCsrfToken(queryClient),
        onUpload: setUploaded,
      });
    },
    onSettled: async (_data, _error, mode) => {
      await queryClient.invalidateQueries({ queryKey: [...peopleKey, "import-runs"] });
      if (mode === "apply") {
        await queryClient.invalidateQueries({ queryKey: peopleKey });
        await queryClient.invalidateQueries({ queryKey: orgKey });
      }
    },
  });
  const mode = send.variables;
  const refused = send.error instanceof ImportRefused ? send.error.result : null;
  const answer: ImportResult | null = send.data ?? refused;

  function run(next: "preview" | "apply") {
    setStep(next === "preview" ? 2 : 3);
    send.mutate(next);
  }

  function restart() {
    send.reset();
    setChosen(null);
    setChoice({});
    setStep(0);
  }

  const preview = mode === "preview" ? answer : null;
  return (
    <>
      <PageHeader
        title="Import people"
        description="Bring people in from a CSV export of your HR system. You see exactly what changes before anything is written."
        actions={
          <ButtonLink to="/people" variant="default">
            Back to People
          </ButtonLink>
        }
      />
      <Stepper
        active={step}
        mb="xl"
        allowNextStepsSelect={false}
        onStepClick={(s) => !send.isPending && setStep(s)}
      >
        <Stepper.Step label="File" description="Choose the CSV">
          <FileStep chosen={chosen} onChosen={setChosen} />
          <Group mt="lg">
            <Button
              disabled={!chosen}
              onClick={() => {
                if (chosen) setChoice(initialChoice(chosen.headers));
                setStep(1);
              }}
            >
              Next: match columns
            </Button>
          </Group>
        </Stepper.Step>
        <Stepper.Step label="Columns" description="Match them to fields">
          {chosen ? (
            <MappingStep
              headers={chosen.headers}
              choice={choice}
              onChoice={setChoice}
              createMissingOrg={createMissingOrg}
              onCreateMissingOrg={setCreateMissingOrg}
            />
          ) : null}
          <Group mt="lg">
            <Button variant="default" onClick={() => setStep(0)}>
              Back
            </Button>
            <Button disabled={choiceProblems(choice).length > 0} onClick={() => run("preview")}>
              Preview the import
            </Button>
          </Group>
        </Stepper.Step>
        <Stepper.Step label="Preview" description="Check what changes">
          <Stack gap="md">
            {send.isPending && mode === "preview" && chosen ? (
              <SendProgress uploaded={uploaded} what="Checking" lines={chosen.lines} />
            ) : null}
            {mode === "preview" && !refused ? (
              <ErrorAlert error={send.error} title="The preview failed" />
            ) : null}
            {preview ? (
              <>
                <Text>Nothing has been written yet. If the file were imported now:</Text>
                <CountsGrid counts={preview.counts} label="Preview counts" />
                <ErrorTable result={preview} />
                <ChangesTable result={preview} />
              </>
            ) : null}
            <Group>
              <Button variant="default" disabled={send.isPending} onClick={() => setStep(1)}>
                Back
              </Button>
              <Button
                disabled={!preview || preview.counts.errors > 0 || send.isPending}
                onClick={() => run("apply")}
              >
                Import now
              </Button>
            </Group>
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="Import" description="Write the changes">
          <Stack gap="md">
            {send.isPending && mode === "apply" && chosen ? (
              <SendProgress uploaded={uploaded} what="Importing" lines={chosen.lines} />
            ) : null}
            {mode === "apply" && send.error ? (
              <ErrorAlert error={send.error} title="The import did not finish" />
            ) : null}
            {mode === "apply" && refused ? <ErrorTable result={refused} /> : null}
            {mode === "apply" && send.data ? (
              <>
                <Alert color="teal" variant="light" title="Import finished" role="status">
                  {send.data.counts.rows.toLocaleString()} rows read; the changes below are written and
                  audited.
                </Alert>
                <CountsGrid counts={send.data.counts} label="Import counts" />
              </>
            ) : null}
            {!send.isPending ? (
              <Group>
                <ButtonLink to="/people">Go to People</ButtonLink>
                <Button variant="default" onClick={restart}>
                  Import another file
                </Button>
              </Group>
            ) : null}
          </Stack>
        </Stepper.Step>
      </Stepper>
      <RunsList />
    </>
  );
}
