import { Button, Card, EmptyState, Group, Loader, Table, Text, TextInput, Title } from "@mantine/core";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { AnchorLink } from "../../components/links";
import { PageHeader } from "../../components/PageHeader";
import { ScrollTable } from "../../components/ScrollTable";
import { CertificateActions } from "./CertificateActions";
import { certificatesQuery } from "./governanceQueries";

/** Revocation certificates, newest first: download as JSON or PDF, verify against the audit chain. */
export function CertificatesPage() {
  const certificates = useInfiniteQuery(certificatesQuery(undefined));
  const [filter, setFilter] = useState("");
  const all = certificates.data?.pages.flatMap((p) => p.items) ?? [];
  const needle = filter.trim().toLowerCase();
  const items = all.filter(
    (c) => !needle || `${c.personName ?? ""} ${c.employeeNumber ?? ""}`.toLowerCase().includes(needle),
  );

  return (
    <>
      <PageHeader
        title="Revocation certificates"
        description="When a leaver's departure is complete, Tandem issues a certificate of every account and entitlement removed, each with the moment it was verified gone, sealed into the audit chain."
      />
      {all.length ? (
        <TextInput
          label="Search"
          description="By name or employee number, among the certificates loaded"
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
          maw={360}
          mb="md"
        />
      ) : null}
      {certificates.isPending ? <Loader aria-label="Loading the certificates" /> : null}
      <ErrorAlert error={certificates.error} title="Could not load the certificates" />
      {certificates.isSuccess && items.length === 0 ? (
        <EmptyState
          my="xl"
          title={needle ? "No certificate matches" : "No certificates yet"}
          description={
            needle
              ? "Load more below, or clear the search."
              : "A certificate is issued when every step of a leaver's departure is verified or attested. Watch a departure on its leaver page."
          }
        />
      ) : null}
      {items.length > 0 ? (
        <ScrollTable label="Revocation certificates" minWidth={900}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Person</Table.Th>
              <Table.Th scope="col">Issued</Table.Th>
              <Table.Th scope="col">Sealed in</Table.Th>
              <Table.Th scope="col">Download and verify</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <AnchorLink to="/access/people/$personId/offboarding" params={{ personId: c.personId }}>
                    {c.personName ?? "Unnamed person"}
                  </AnchorLink>
                  <Text size="xs">{c.employeeNumber}</Text>
                </Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{formatDateTime(c.issuedAt)}</Table.Td>
                <Table.Td>
                  <Text size="sm">audit entry #{c.auditEntry.seq}</Text>
                  <Text size="xs" ff="monospace">
                    {c.digest.slice(0, 16)}…
                  </Text>
                </Table.Td>
                <Table.Td maw={420}>
                  <CertificateActions summary={c} compact />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </ScrollTable>
      ) : null}
      {certificates.hasNextPage ? (
        <Group justify="center" mt="md">
          <Button
            variant="default"
            loading={certificates.isFetchingNextPage}
            onClick={() => void certificates.fetchNextPage()}
          >
            Load more
          </Button>
        </Group>
      ) : null}
    </>
  );
}

/** On the leaver page: the person's certificates, once issued. */
export function LeaverCertificate({ personId }: { personId: string }) {
  const certificates = useInfiniteQuery(certificatesQuery(personId));
  const latest = certificates.data?.pages[0]?.items[0];
  if (!latest) return null;
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="certificate-title" mb="lg">
      <Title order={2} size="h4" id="certificate-title" mb="xs">
        Revocation certificate
      </Title>
      <Text size="sm" mb="sm">
        Issued {formatDateTime(latest.issuedAt)}, sealed in audit entry #{latest.auditEntry.seq}.
      </Text>
      <CertificateActions summary={latest} />
    </Card>
  );
}
