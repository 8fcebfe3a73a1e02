import type { Body, Ok } from "../../api/types";

export type ReportBody = Body<"/api/v1/reports", "post">;
export type ThankYou = Ok<"/api/v1/reports", "post">;
export type Details = ReportBody["details"];
export type Category = Details["category"];
export type ReporterView = Ok<"/api/v1/reports/follow-up", "post">;
export type MineItem = Ok<"/api/v1/reports/mine", "get">["items"][number];
export type QueueQuery = NonNullable<
  NonNullable<import("../../api/schema").paths["/api/v1/reports"]["get"]["parameters"]["query"]>
>;
export type QueueItem = Ok<"/api/v1/reports", "get">["items"][number];
export type ReportDetail = Ok<"/api/v1/reports/{id}", "get">;
export type ReportStatus = QueueItem["status"];
export type Severity = NonNullable<QueueItem["severity"]>;
export type Verdict = NonNullable<QueueItem["verdict"]>;
export type Question = Ok<"/api/v1/ask/questions/{id}", "get">;
export type FaqEntry = Ok<"/api/v1/ask/faq", "get">["items"][number];
export type Message = ReporterView["messages"][number];
