import { Center, Paper, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { usePageTitle } from "./PageHeader";

interface PublicLayoutProps {
  title: string;
  description?: ReactNode;
  children: ReactNode;
}

/** Centered card layout for pages shown outside the signed-in shell (sign-in, setup, errors). */
export function PublicLayout({ title, description, children }: PublicLayoutProps) {
  usePageTitle(title);
  return (
    <Center component="main" mih="100vh" p="md" bg="gray.0">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={440}>
        <Stack gap="lg">
          <Stack gap={4}>
            <Text fw={700} size="lg" c="blue.9">
              Tandem
            </Text>
            <Title order={1} size="h2">
              {title}
            </Title>
            {description ? <Text c="dimmed">{description}</Text> : null}
          </Stack>
          {children}
        </Stack>
      </Paper>
    </Center>
  );
}
