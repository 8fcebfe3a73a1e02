/**
 * What incident response needs from the reports module, as one typed object built from the
 * reports module's public surface (index.ts), in the shapes this module works with.
 */
import type { AuditContext } from "../../platform/audit/index.js";
import type { Queryable } from "../../platform/db/index.js";
import { getReportSummaries, markEscalated, reportStats } from "../reports/index.js";

export interface ReportSummary {
  id: string;
  reference: string;
  category: string;
  title: string;
  createdAt: string;
  anonymous: boolean;
  status: string;
}

export interface ReportStats {
  byCategory: { category: string; count: number }[];
  byDepartment: { department: string; count: number }[];
  nearMissShare: number;
  total: number;
  medianAcknowledgeMinutes: number | null;
}

export interface ReportsPort {
  summaries(q: Queryable, ids: string[]): Promise<ReportSummary[]>;
  markEscalated(q: Queryable, ids: string[], incidentId: string, ctx: AuditContext): Promise<void>;
  stats(q: Queryable, range: { from: Date; to: Date }): Promise<ReportStats>;
}

const entries = (r: Record<string, number>) =>
  Object.entries(r)
    .map(([k, count]) => ({ k, count }))
    .sort((a, b) => b.count - a.count);

export const reportsPort: ReportsPort = {
  summaries: getReportSummaries,
  markEscalated,
  async stats(q, range) {
    const s = await reportStats(q, range);
    return {
      byCategory: entries(s.byCategory).map((e) => ({ category: e.k, count: e.count })),
      byDepartment: entries(s.byDepartment).map((e) => ({ department: e.k, count: e.count })),
      nearMissShare: s.nearMissShare,
      total: s.total,
      medianAcknowledgeMinutes: s.medianAcknowledgeMinutes,
    };
  },
};
