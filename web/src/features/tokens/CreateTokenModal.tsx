import { Button, Group, Modal, MultiSelect, NumberInput, Stack, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, expectData } from "../../api/client";
import type { NewTokenBody } from "../../api/types";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { OneTimeSecret } from "../../components/OneTimeSecret";
import { scopesQuery, tokensKey } from "./queries";

const DEFAULT_DAYS = 90;

interface CreateTokenModalProps {
  opened: boolean;
  onClose: () => void;
}

export function CreateTokenModal({ opened, onClose }: CreateTokenModalProps) {
  const queryClient = useQueryClient();
  const scopes = useQuery({ ...scopesQuery, enabled: opened });
  const [name, setName] = useState("");
  const [selected, setSelected] = useState<string[]>([]);
  const [days, setDays] = useState<number | string>(DEFAULT_DAYS);
  const create = useMutation({
    mutationFn: async (body: NewTokenBody) => expectData(await api.POST("/api/v1/tokens", { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tokensKey }),
  });

  const dayCount = typeof days === "number" ? days : Number.parseInt(days, 10);
  const daysValid = Number.isInteger(dayCount) && dayCount >= 1 && dayCount <= 365;

  function close() {
    onClose();
    setName("");
    setSelected([]);
    setDays(DEFAULT_DAYS);
    create.reset();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim() || selected.length === 0 || !daysValid) return;
    create.mutate({ name: name.trim(), scopes: selected, expiresInDays: dayCount });
  }

  return (
    <Modal opened={opened} onClose={close} title="Create API token" size="lg">
      {create.data ? (
        <Stack gap="md">
          <OneTimeSecret
            label="Token"
            value={create.data.secret}
            warning="Copy the token now and store it in your secret manager. Tandem keeps only a hash, so it cannot be shown again."
          />
          <Group justify="flex-end">
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="md">
            <ErrorAlert error={scopes.error} title="Could not load the scopes" />
            <ErrorAlert
              error={create.error}
              title="Could not create the token"
              shownFields={["name", "scopes", "expiresInDays"]}
            />
            <TextInput
              label="Name"
              description="What uses this token, e.g. “HRIS sync”"
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
              required
              data-autofocus
              error={fieldError(create.error, "name")}
            />
            <MultiSelect
              label="Scopes"
              description="Grant only what the integration needs."
              data={scopes.data ?? []}
              value={selected}
              onChange={setSelected}
              required
              searchable
              nothingFoundMessage="No scope matches"
              disabled={!scopes.data}
              error={fieldError(create.error, "scopes")}
            />
            <NumberInput
              label="Expires after (days)"
              description="Between 1 and 365 days."
              value={days}
              onChange={setDays}
              min={1}
              max={365}
              allowDecimal={false}
              allowNegative={false}
              clampBehavior="strict"
              required
              error={
                (!daysValid && "Choose between 1 and 365 days.") || fieldError(create.error, "expiresInDays")
              }
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button
                type="submit"
                loading={create.isPending}
                disabled={!name.trim() || selected.length === 0 || !daysValid}
              >
                Create token
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
