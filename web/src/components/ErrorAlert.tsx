import { Alert, List } from "@mantine/core";
import { ApiError, describeError } from "../api/errors";

interface ErrorAlertProps {
  error: unknown;
  title?: string;
  /** Field errors already shown next to their inputs are not repeated here. */
  shownFields?: readonly string[];
}

/** Shows a server problem's detail (and any field errors not shown on the form) as an alert. */
export function ErrorAlert({ error, title = "Something went wrong", shownFields = [] }: ErrorAlertProps) {
  if (!error) return null;
  const extra =
    error instanceof ApiError
      ? Object.entries(error.fieldErrors()).filter(([field]) => !shownFields.includes(field))
      : [];
  return (
    <Alert color="red" variant="light" title={title} role="alert">
      {describeError(error)}
      {extra.length > 0 ? (
        <List size="sm" mt="xs">
          {extra.map(([field, message]) => (
            <List.Item key={field}>
              {field}: {message}
            </List.Item>
          ))}
        </List>
      ) : null}
    </Alert>
  );
}

/** Field-level message for a form input, from the last mutation error. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.fieldErrors()[field] : undefined;
}
