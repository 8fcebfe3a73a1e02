import { Code, Group, Select, SimpleGrid, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { fieldError } from "../../../components/ErrorAlert";
import { LURES } from "./labels";
import type { Difficulty, LandingKind, TemplateBody } from "./types";

/** The merge fields a template may use; anything else in double braces is refused by the server. */
export const MERGE_FIELDS: { name: string; help: string }[] = [
  { name: "first_name", help: "first name" },
  { name: "last_name", help: "last name" },
  { name: "full_name", help: "full name" },
  { name: "email", help: "work e-mail" },
  { name: "department", help: "department" },
  { name: "job_title", help: "job title" },
  { name: "manager_name", help: "manager's name" },
  { name: "company", help: "organisation name" },
  { name: "link", help: "the tracked link (required in both bodies)" },
];

export const EMPTY_TEMPLATE: TemplateBody = {
  name: "",
  lure: "login",
  difficulty: "medium",
  fromName: "",
  fromAddress: "",
  subject: "",
  bodyHtml: '<p>Hello {{first_name}},</p>\n<p><a href="{{link}}">Open the document</a></p>',
  bodyText: "Hello {{first_name}},\n\nOpen the document: {{link}}",
  landingKind: "login",
  landingTitle: "",
  lessonMd: "",
};

export function MergeFieldList() {
  return (
    <Stack gap={4} aria-label="Merge fields">
      <Text size="sm" fw={600}>
        Merge fields
      </Text>
      <Group gap="xs">
        {MERGE_FIELDS.map((f) => (
          <Text key={f.name} size="xs" title={f.help}>
            <Code>{`{{${f.name}}}`}</Code> {f.help}
          </Text>
        ))}
      </Group>
    </Stack>
  );
}

/** Every field of a template, with the server's message under the field it names. */
export function TemplateFields({
  value,
  onChange,
  error,
  readOnly = false,
}: {
  value: TemplateBody;
  onChange: (patch: Partial<TemplateBody>) => void;
  error: unknown;
  readOnly?: boolean;
}) {
  const err = (f: keyof TemplateBody) => fieldError(error, f);
  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <TextInput
          label="Name"
          required
          readOnly={readOnly}
          value={value.name}
          onChange={(e) => onChange({ name: e.currentTarget.value })}
          error={err("name")}
        />
        <Select
          label="Lure"
          data={LURES}
          readOnly={readOnly}
          allowDeselect={false}
          value={value.lure}
          onChange={(v) => onChange({ lure: v ?? "other" })}
          error={err("lure")}
        />
        <Select
          label="Difficulty"
          readOnly={readOnly}
          allowDeselect={false}
          data={[
            { value: "easy", label: "Easy to spot" },
            { value: "medium", label: "Medium" },
            { value: "hard", label: "Hard to spot" },
          ]}
          value={value.difficulty}
          onChange={(v) => onChange({ difficulty: (v ?? "medium") as Difficulty })}
          error={err("difficulty")}
        />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput
          label="Sender name"
          required
          readOnly={readOnly}
          value={value.fromName}
          onChange={(e) => onChange({ fromName: e.currentTarget.value })}
          error={err("fromName")}
        />
        <TextInput
          label="Sender address"
          required
          readOnly={readOnly}
          value={value.fromAddress}
          onChange={(e) => onChange({ fromAddress: e.currentTarget.value })}
          error={err("fromAddress")}
        />
      </SimpleGrid>
      <TextInput
        label="Subject"
        required
        readOnly={readOnly}
        value={value.subject}
        onChange={(e) => onChange({ subject: e.currentTarget.value })}
        error={err("subject")}
      />
      <MergeFieldList />
      <Textarea
        label="Mail body (HTML)"
        description="Must contain {{link}}. Shown to people as HTML mail; previewed here in a sandbox."
        required
        readOnly={readOnly}
        autosize
        minRows={6}
        styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
        value={value.bodyHtml}
        onChange={(e) => onChange({ bodyHtml: e.currentTarget.value })}
        error={err("bodyHtml")}
      />
      <Textarea
        label="Mail body (plain text)"
        description="Must contain {{link}}."
        required
        readOnly={readOnly}
        autosize
        minRows={4}
        value={value.bodyText}
        onChange={(e) => onChange({ bodyText: e.currentTarget.value })}
        error={err("bodyText")}
      />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Select
          label="Landing page"
          readOnly={readOnly}
          allowDeselect={false}
          data={[
            { value: "login", label: "Look-alike sign-in (typed values are never sent)" },
            { value: "notice", label: "Straight to the lesson" },
          ]}
          value={value.landingKind}
          onChange={(v) => onChange({ landingKind: (v ?? "login") as LandingKind })}
          error={err("landingKind")}
        />
        <TextInput
          label="Landing page title"
          readOnly={readOnly}
          value={value.landingTitle}
          onChange={(e) => onChange({ landingTitle: e.currentTarget.value })}
          error={err("landingTitle")}
        />
      </SimpleGrid>
      <Textarea
        label="Teachable moment (Markdown)"
        description="Shown right after a click: the signs the person could have noticed."
        required
        readOnly={readOnly}
        autosize
        minRows={5}
        value={value.lessonMd}
        onChange={(e) => onChange({ lessonMd: e.currentTarget.value })}
        error={err("lessonMd")}
      />
    </Stack>
  );
}

export function toTemplateBody(t: TemplateBody): TemplateBody {
  return {
    name: t.name,
    lure: t.lure,
    difficulty: t.difficulty,
    fromName: t.fromName,
    fromAddress: t.fromAddress,
    subject: t.subject,
    bodyHtml: t.bodyHtml,
    bodyText: t.bodyText,
    landingKind: t.landingKind,
    landingTitle: t.landingTitle,
    lessonMd: t.lessonMd,
  };
}

/** The keys a template form shows next to its inputs (ErrorAlert does not repeat them). */
export const TEMPLATE_FIELDS = Object.keys(EMPTY_TEMPLATE);
