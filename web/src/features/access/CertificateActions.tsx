import { Alert, Button, Group, Stack, Text } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDateTime } from "../../components/format";
import { fetchCertificate } from "./governanceQueries";
import type { Certificate, CertificateSummary } from "./types";

function saveJson(cert: Certificate) {
  const blob = new Blob([JSON.stringify(cert, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = `revocation-certificate-${cert.id}.json`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

/**
 * Download (JSON, PDF) and verify one certificate. Each read of the document is an audited
 * download, so nothing is fetched until the viewer asks.
 */
export function CertificateActions({ summary, compact }: { summary: CertificateSummary; compact?: boolean }) {
  const verify = useMutation({ mutationFn: () => fetchCertificate(summary.id) });
  const download = useMutation({
    mutationFn: () => fetchCertificate(summary.id),
    onSuccess: saveJson,
  });
  const result = verify.data;
  const label = summary.personName ?? summary.employeeNumber ?? "this person";
  return (
    <Stack gap="xs">
      <Group gap="xs" wrap="nowrap">
        <Button
          size="xs"
          variant="default"
          onClick={() => download.mutate()}
          loading={download.isPending}
          aria-label={`Download the certificate of ${label} as JSON`}
        >
          JSON
        </Button>
        <Button
          size="xs"
          variant="default"
          component="a"
          href={`/api/v1/access/certificates/${summary.id}/pdf`}
          download
          aria-label={`Download the certificate of ${label} as PDF`}
        >
          PDF
        </Button>
        <Button
          size="xs"
          variant="light"
          onClick={() => verify.mutate()}
          loading={verify.isPending}
          aria-label={`Verify the certificate of ${label} against the audit chain`}
        >
          Verify
        </Button>
      </Group>
      <ErrorAlert error={verify.error ?? download.error} title="Could not read the certificate" />
      {result ? (
        result.verified ? (
          <Alert
            color="teal"
            variant="light"
            title="Verified against the audit chain"
            role="status"
            p={compact ? "xs" : undefined}
          >
            <Text size="sm">
              The document's SHA-256 equals the digest sealed in audit entry #{result.auditEntry.seq}, and
              that entry still matches its own hash.
            </Text>
            <Text size="xs" ff="monospace" style={{ wordBreak: "break-all" }}>
              sha256 {result.digest}
            </Text>
            <Text size="xs" c="dimmed">
              Checked {formatDateTime(new Date().toISOString())}
            </Text>
          </Alert>
        ) : (
          <Alert color="red" variant="light" title="Does not match the audit chain" role="alert">
            <Text size="sm">
              {result.verificationError ??
                "The stored document no longer matches the digest in the audit chain."}{" "}
              Run `tandem audit verify` and tell Security.
            </Text>
          </Alert>
        )
      ) : null}
    </Stack>
  );
}
