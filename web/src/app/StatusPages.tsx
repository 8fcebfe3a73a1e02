import { Button, Group, Text } from "@mantine/core";
import type { ErrorComponentProps } from "@tanstack/react-router";
import { useContext } from "react";
import { describeError } from "../api/errors";
import { AnchorLink, ButtonLink } from "../components/links";
import { PageHeader } from "../components/PageHeader";
import { PublicLayout } from "../components/PublicLayout";
import { SessionContext } from "./session";

/** 404 inside the shell when signed in, else as a standalone page. */
export function NotFoundPage() {
  const session = useContext(SessionContext);
  const body = (
    <>
      <Text>There is no page at this address. It may have moved, or the link may be wrong.</Text>
      <Group mt="md">
        <ButtonLink to="/">Go to home</ButtonLink>
      </Group>
    </>
  );
  if (session) {
    return (
      <>
        <PageHeader title="Page not found" />
        {body}
      </>
    );
  }
  return <PublicLayout title="Page not found">{body}</PublicLayout>;
}

export function ForbiddenPage() {
  return (
    <>
      <PageHeader title="No access" />
      <Text>
        Your roles do not allow you to see this page. Ask an administrator if you need access, or go back to{" "}
        <AnchorLink to="/">the home page</AnchorLink>.
      </Text>
    </>
  );
}

export function ErrorPage({ error, reset }: ErrorComponentProps) {
  return (
    <PublicLayout title="Something went wrong">
      <Text role="alert">{describeError(error)}</Text>
      <Group>
        <Button
          onClick={() => {
            reset();
            window.location.reload();
          }}
        >
          Try again
        </Button>
        <Button component="a" href="/" variant="default">
          Go to home
        </Button>
      </Group>
    </PublicLayout>
  );
}

/** Errors thrown while rendering a page inside the shell. */
export function InlineErrorPage({ error, reset }: ErrorComponentProps) {
  return (
    <>
      <PageHeader title="Something went wrong" />
      <Text role="alert">{describeError(error)}</Text>
      <Group mt="md">
        <Button onClick={reset}>Try again</Button>
      </Group>
    </>
  );
}
