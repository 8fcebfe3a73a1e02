import {
  Alert,
  Button,
  Checkbox,
  FileInput,
  Group,
  NumberInput,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useState } from "react";
import { ErrorAlert, fieldError } from "../../components/ErrorAlert";
import { CATEGORIES, CATEGORY_HINTS, CATEGORY_LABELS } from "./labels";
import type { Category, Details, ReportBody } from "./types";

type Answers = Record<string, string | number | boolean | undefined>;

const DEVICE_TYPES = [
  { value: "laptop", label: "Laptop" },
  { value: "phone", label: "Phone" },
  { value: "tablet", label: "Tablet" },
  { value: "usb_drive", label: "USB drive" },
  { value: "badge", label: "Access badge" },
  { value: "other", label: "Something else" },
];
const PAYMENT_CHANNELS = [
  { value: "email", label: "E-mail" },
  { value: "phone", label: "Phone call" },
  { value: "chat", label: "Chat or text message" },
  { value: "letter", label: "Letter" },
  { value: "in_person", label: "In person" },
  { value: "other", label: "Another way" },
];
const MISTAKE_KINDS = [
  { value: "sent_to_wrong_recipient", label: "Sent something to the wrong person" },
  { value: "clicked_link", label: "Clicked a link or opened a file" },
  { value: "shared_password", label: "Shared or typed a password somewhere" },
  { value: "lost_data", label: "Lost or deleted data" },
  { value: "wrong_access_given", label: "Gave someone access they should not have" },
  { value: "other", label: "Something else" },
];
const YES_NO_UNKNOWN = [
  { value: "unknown", label: "Not sure" },
  { value: "yes", label: "Yes" },
  { value: "no", label: "No" },
];

const text = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);
const flag = (v: unknown) => v === true;

/** Only the chosen category's answers, in the shape its schema expects. */
function buildDetails(category: Category, a: Answers): Details {
  switch (category) {
    case "phishing_email":
      return {
        category,
        sender: text(a.sender),
        subject: text(a.subject),
        urls: String(a.urls ?? "")
          .split(/\s+/)
          .filter((u) => /^https?:\/\//i.test(u))
          .slice(0, 20),
        clickedLink: flag(a.clickedLink),
        enteredCredentials: flag(a.enteredCredentials),
        openedAttachment: flag(a.openedAttachment),
      };
    case "suspicious_payment":
      return {
        category,
        requester: text(a.requester),
        beneficiary: text(a.beneficiary),
        amount: typeof a.amount === "number" && a.amount > 0 ? a.amount : undefined,
        currency: text(a.currency)?.toUpperCase(),
        channel: (text(a.channel) ?? "email") as "email",
        paymentMade: flag(a.paymentMade),
      };
    case "suspicious_behaviour":
      return { category, where: text(a.where), ongoing: flag(a.ongoing) };
    case "lost_device":
      return {
        category,
        deviceType: (text(a.deviceType) ?? "other") as "other",
        companyOwned: flag(a.companyOwned),
        stolen: flag(a.stolen),
        location: text(a.location),
        encrypted: (text(a.encrypted) ?? "unknown") as "unknown",
      };
    case "own_mistake":
      return {
        category,
        kind: (text(a.kind) ?? "other") as "other",
        personalDataInvolved: (text(a.personalDataInvolved) ?? "unknown") as "unknown",
      };
    case "near_miss":
      return { category, whatStoppedIt: text(a.whatStoppedIt) };
    default:
      return { category };
  }
}

async function toBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

interface ReportFormProps {
  onSubmit: (body: ReportBody) => void;
  submitting: boolean;
  error: unknown;
  submitLabel: string;
}

/** The guided report form: a category, its own few questions, the story in your words, files. */
export function ReportForm({ onSubmit, submitting, error, submitLabel }: ReportFormProps) {
  const [category, setCategory] = useState<Category>("phishing_email");
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [answers, setAnswers] = useState<Answers>({});
  const [files, setFiles] = useState<File[]>([]);
  const set = (k: string) => (v: string | number | boolean | null | undefined) =>
    setAnswers((a) => ({ ...a, [k]: v ?? undefined }));
  const input = (k: string) => ({
    value: String(answers[k] ?? ""),
    onChange: (e: { currentTarget: { value: string } }) => set(k)(e.currentTarget.value),
    error: fieldError(error, k),
  });
  const check = (k: string, label: string) => (
    <Checkbox label={label} checked={flag(answers[k])} onChange={(e) => set(k)(e.currentTarget.checked)} />
  );

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const attachments = await Promise.all(
      files.map(async (f) => ({ filename: f.name, contentBase64: await toBase64(f) })),
    );
    onSubmit({ title: title.trim(), description, details: buildDetails(category, answers), attachments });
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <Stack gap="md">
        <Select
          label="What would you like to report?"
          data={CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c] }))}
          value={category}
          onChange={(v) => v && setCategory(v as Category)}
          allowDeselect={false}
          required
        />
        <Alert variant="light" color="blue">
          {CATEGORY_HINTS[category]}
        </Alert>
        <TextInput
          label="In a few words"
          description="A short title, for example “Invoice e-mail asking me to log in”."
          value={title}
          onChange={(e) => setTitle(e.currentTarget.value)}
          error={fieldError(error, "title")}
          required
          maxLength={200}
        />
        {category === "phishing_email" ? (
          <>
            <Group grow align="flex-start">
              <TextInput label="Who sent it" placeholder="name@example.com" {...input("sender")} />
              <TextInput label="Subject" {...input("subject")} />
            </Group>
            <Textarea
              label="Links in it"
              description="Copy them as text, one per line; please do not open them."
              autosize
              minRows={2}
              {...input("urls")}
            />
            <Stack gap={6}>
              {check("clickedLink", "I opened a link in it")}
              {check("enteredCredentials", "I typed a password or code on a page it led to")}
              {check("openedAttachment", "I opened an attachment")}
            </Stack>
          </>
        ) : null}
        {category === "suspicious_payment" ? (
          <>
            <Group grow align="flex-start">
              <TextInput label="Who asked" {...input("requester")} />
              <TextInput label="To be paid to" {...input("beneficiary")} />
            </Group>
            <Group grow align="flex-start">
              <NumberInput
                label="Amount"
                min={0}
                value={typeof answers.amount === "number" ? answers.amount : ""}
                onChange={(v) => set("amount")(typeof v === "number" ? v : undefined)}
                error={fieldError(error, "amount")}
              />
              <TextInput label="Currency" placeholder="EUR" maxLength={3} {...input("currency")} />
              <Select
                label="How it came"
                data={PAYMENT_CHANNELS}
                value={text(answers.channel) ?? "email"}
                onChange={set("channel")}
                allowDeselect={false}
                error={fieldError(error, "channel")}
              />
            </Group>
            {check("paymentMade", "A payment was already made")}
          </>
        ) : null}
        {category === "suspicious_behaviour" ? (
          <>
            <TextInput label="Where" {...input("where")} />
            {check("ongoing", "It is still going on")}
          </>
        ) : null}
        {category === "lost_device" ? (
          <>
            <Group grow align="flex-start">
              <Select
                label="What"
                data={DEVICE_TYPES}
                value={text(answers.deviceType) ?? "laptop"}
                onChange={set("deviceType")}
                allowDeselect={false}
                required
              />
              <Select
                label="Is it encrypted?"
                data={YES_NO_UNKNOWN}
                value={text(answers.encrypted) ?? "unknown"}
                onChange={set("encrypted")}
                allowDeselect={false}
              />
            </Group>
            <TextInput label="Where was it last seen" {...input("location")} />
            {check("companyOwned", "It belongs to the company")}
            {check("stolen", "I think it was stolen")}
          </>
        ) : null}
        {category === "own_mistake" ? (
          <Group grow align="flex-start">
            <Select
              label="What happened"
              data={MISTAKE_KINDS}
              value={text(answers.kind) ?? "other"}
              onChange={set("kind")}
              allowDeselect={false}
              required
            />
            <Select
              label="Was personal data involved?"
              data={YES_NO_UNKNOWN}
              value={text(answers.personalDataInvolved) ?? "unknown"}
              onChange={set("personalDataInvolved")}
              allowDeselect={false}
            />
          </Group>
        ) : null}
        {category === "near_miss" ? <TextInput label="What stopped it" {...input("whatStoppedIt")} /> : null}
        <Textarea
          label="Tell us what happened"
          description="In your own words; anything you remember helps."
          autosize
          minRows={4}
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          error={fieldError(error, "description")}
        />
        <FileInput
          label="Screenshots or files (optional)"
          description="Images, PDF, plain text or a saved e-mail (.eml). Files that could run code are refused."
          multiple
          clearable
          value={files}
          onChange={setFiles}
          accept="image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,.eml,.txt"
        />
        <ErrorAlert error={error} title="The report was not sent" shownFields={["title", "description"]} />
        <Group justify="flex-end">
          <Button type="submit" loading={submitting}>
            {submitLabel}
          </Button>
        </Group>
        <Text size="xs" c="dimmed">
          Reports are read by the Security team only.
        </Text>
      </Stack>
    </form>
  );
}
