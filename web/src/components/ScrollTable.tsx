import { Box, Table } from "@mantine/core";
import type { ReactNode } from "react";

interface ScrollTableProps {
  /** Accessible name of the table and of its scroll region. */
  label: string;
  minWidth?: number;
  children: ReactNode;
}

/** A table inside a keyboard-focusable horizontal scroll region (axe: scrollable-region-focusable). */
export function ScrollTable({ label, minWidth = 720, children }: ScrollTableProps) {
  return (
    <Box role="region" aria-label={label} tabIndex={0} style={{ overflowX: "auto" }}>
      <Table striped highlightOnHover verticalSpacing="sm" miw={minWidth} aria-label={label}>
        {children}
      </Table>
    </Box>
  );
}
