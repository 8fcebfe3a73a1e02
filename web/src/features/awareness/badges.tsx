import { Badge } from "@mantine/core";
import { formatDate } from "../../components/format";

/** Where an assignment stands: done, closed, overdue (red) or due on a date. */
export function DueBadge({
  status,
  dueAt,
  overdue,
}: {
  status: string;
  dueAt: string | null;
  overdue?: boolean;
}) {
  if (status === "done")
    return (
      <Badge color="teal" variant="light" radius="sm">
        Done
      </Badge>
    );
  if (status === "closed")
    return (
      <Badge color="gray" variant="light" radius="sm">
        Closed
      </Badge>
    );
  if (overdue || (dueAt && new Date(dueAt).getTime() < Date.now()))
    return (
      <Badge color="red" variant="filled" radius="sm">
        Overdue since {formatDate(dueAt)}
      </Badge>
    );
  return (
    <Badge color="blue" variant="light" radius="sm">
      Due {formatDate(dueAt)}
    </Badge>
  );
}

export function StatusBadge({ status }: { status: "draft" | "published" | "retired" }) {
  const color = status === "published" ? "teal" : status === "draft" ? "yellow" : "gray";
  return (
    <Badge color={color} variant="light" radius="sm">
      {status}
    </Badge>
  );
}

/** Rendered policy or training text: HTML made on the server from Markdown, everything escaped. */
export function SafeHtml({ html }: { html: string }) {
  return (
    <div
      className="awareness-text"
      style={{ lineHeight: 1.6 }}
      // biome-ignore lint/security/noDangerouslySetInnerHtml: the server renders a small Markdown subset and escapes everything else
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
