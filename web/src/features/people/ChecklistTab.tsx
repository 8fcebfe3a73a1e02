import { Checkbox, Loader, Stack, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, expectData } from "../../api/client";
import { useCan } from "../../app/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { CHECKLIST_LABELS } from "./prehireLabels";
import { checklistQuery } from "./queries";
import type { ChecklistItem } from "./types";

/** The pre-employment security checklist; HR ticks items, everyone who may see the person reads it. */
export function ChecklistTab({ personId }: { personId: string }) {
  const queryClient = useQueryClient();
  const canWrite = useCan("people:write");
  const list = useQuery(checklistQuery(personId));
  const tick = useMutation({
    mutationFn: async ({ item, done }: { item: ChecklistItem["item"]; done: boolean }) =>
      expectData(
        await api.PUT("/api/v1/people/{id}/checklist/{item}", {
          params: { path: { id: personId, item } },
          body: { done },
        }),
      ),
    onSuccess: (answer) => queryClient.setQueryData(checklistQuery(personId).queryKey, answer.items),
  });
  return (
    <Stack gap="md">
      {list.isPending ? <Loader aria-label="Loading the checklist" /> : null}
      <ErrorAlert error={list.error} title="Could not load the checklist" />
      <ErrorAlert error={tick.error} title="Could not update the checklist" />
      {(list.data ?? []).map((item) => (
        <Stack key={item.item} gap={2}>
          <Checkbox
            label={CHECKLIST_LABELS[item.item]}
            checked={item.done}
            disabled={!canWrite || (tick.isPending && tick.variables?.item === item.item)}
            onChange={(event) => tick.mutate({ item: item.item, done: event.currentTarget.checked })}
          />
          <Text size="xs" c="dimmed" pl={32}>
            {item.done
              ? `Done${item.doneBy ? ` by ${item.doneBy}` : ""} on ${formatDateTime(item.doneAt)}`
              : "Not done yet"}
            {item.note ? ` · ${item.note}` : ""}
          </Text>
        </Stack>
      ))}
    </Stack>
  );
}
