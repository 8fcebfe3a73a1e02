import { Button, Group, Modal, Select, Stack, TextInput } from "@mantine/core";
import { type FormEvent, useMemo, useState } from "react";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { useSaveLocation } from "./save";
import type { Location } from "./types";

function timeZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return zones.includes("UTC") ? zones : ["UTC", ...zones];
}

/** Adds (location null) or changes a location; its time zone places dated HR events. */
export function LocationModal({ location, onClose }: { location: Location | null; onClose: () => void }) {
  const zones = useMemo(timeZones, []);
  const [name, setName] = useState(location?.name ?? "");
  const [timeZone, setTimeZone] = useState<string | null>(
    location?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC",
  );
  const [country, setCountry] = useState(location?.country ?? "");
  const save = useSaveLocation(onClose);

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate({
      id: location?.id ?? null,
      body: { name: name.trim(), timeZone: timeZone ?? "", country: country.trim().toUpperCase() || null },
    });
  }

  return (
    <Modal opened onClose={onClose} title={location ? `Edit ${location.name}` : "Add location"}>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <ErrorAlert
            error={save.error}
            title="Could not save the location"
            shownFields={["name", "timeZone", "country"]}
          />
          <TextInput
            label="Name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(save.error, "name")}
            data-autofocus
          />
          <Select
            label="Time zone"
            description="Dates of hires, starts and leaving take effect at midnight in this zone."
            required
            searchable
            data={zones}
            value={timeZone}
            onChange={setTimeZone}
            error={fieldError(save.error, "timeZone")}
            comboboxProps={{ withinPortal: true }}
            limit={50}
          />
          <TextInput
            label="Country"
            description="Two-letter ISO code, e.g. ZA, DE, US."
            maxLength={2}
            value={country}
            onChange={(e) => setCountry(e.currentTarget.value)}
            error={fieldError(save.error, "country")}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!name.trim() || !timeZone}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
