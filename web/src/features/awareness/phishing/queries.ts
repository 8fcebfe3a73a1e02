import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import { api, expectData } from "../../../api/client";
import { awarenessKey, PAGE_SIZE } from "../queries";
import type { CampaignBody, CampaignStatus, InteractionKind, RecipientsQuery, TemplateBody } from "./types";

/** Every phishing query sits under the awareness key: one invalidation refreshes them all. */
export const phishingKey = [...awarenessKey, "phishing"] as const;

const page = (p: number) => ({ limit: PAGE_SIZE, offset: p * PAGE_SIZE });

export const templatesQuery = (q: { q?: string; includeArchived?: boolean }, p: number) =>
  queryOptions({
    queryKey: [...phishingKey, "templates", q, p] as const,
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/awareness/phishing/templates", {
          params: {
            query: { q: q.q, includeArchived: q.includeArchived ? "true" : undefined, ...page(p) },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });

export const templateQuery = (id: string) =>
  queryOptions({
    queryKey: [...phishingKey, "template", id] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/awareness/phishing/templates/{id}", { params: { path: { id } } })),
  });

export const createTemplate = async (body: TemplateBody) =>
  expectData(await api.POST("/api/v1/awareness/phishing/templates", { body }));
export const updateTemplate = async (id: string, body: TemplateBody) =>
  expectData(await api.PUT("/api/v1/awareness/phishing/templates/{id}", { params: { path: { id } }, body }));
export const archiveTemplate = async (id: string) =>
  expectData(
    await api.POST("/api/v1/awareness/phishing/templates/{id}/archive", { params: { path: { id } } }),
  );
export const previewTemplate = async (id: string, personId?: string) =>
  expectData(
    await api.POST("/api/v1/awareness/phishing/templates/{id}/preview", {
      params: { path: { id } },
      body: personId ? { personId } : {},
    }),
  );

export const campaignsQuery = (q: { status?: CampaignStatus }, p: number) =>
  queryOptions({
    queryKey: [...phishingKey, "campaigns", q, p] as const,
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/awareness/phishing/campaigns", { params: { query: { ...q, ...page(p) } } }),
      ),
    placeholderData: keepPreviousData,
  });

/** While mail is going out the figures move: the campaign refreshes itself every few seconds. */
const live = (status: CampaignStatus | undefined) =>
  status === "scheduled" || status === "sending" ? 5_000 : false;

export const campaignQuery = (id: string) =>
  queryOptions({
    queryKey: [...phishingKey, "campaign", id] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/awareness/phishing/campaigns/{id}", { params: { path: { id } } })),
    refetchInterval: (query) => live(query.state.data?.status),
  });

export const createCampaign = async (body: CampaignBody) =>
  expectData(await api.POST("/api/v1/awareness/phishing/campaigns", { body }));
export const updateCampaign = async (id: string, body: CampaignBody) =>
  expectData(await api.PUT("/api/v1/awareness/phishing/campaigns/{id}", { params: { path: { id } }, body }));
export const scheduleCampaign = async (id: string) =>
  expectData(
    await api.POST("/api/v1/awareness/phishing/campaigns/{id}/schedule", { params: { path: { id } } }),
  );
export const cancelCampaign = async (id: string) =>
  expectData(
    await api.POST("/api/v1/awareness/phishing/campaigns/{id}/cancel", { params: { path: { id } } }),
  );

export const recipientsQuery = (
  id: string,
  q: RecipientsQuery,
  p: number,
  status: CampaignStatus | undefined,
) =>
  queryOptions({
    queryKey: [...phishingKey, "campaign", id, "recipients", q, p] as const,
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/awareness/phishing/campaigns/{id}/recipients", {
          params: { path: { id }, query: { ...q, ...page(p) } },
        }),
      ),
    placeholderData: keepPreviousData,
    refetchInterval: live(status),
  });

/** One campaign's figures per department (the department when the mail was planned). */
export const campaignDepartmentsQuery = (id: string, status: CampaignStatus | undefined) =>
  queryOptions({
    queryKey: [...phishingKey, "campaign", id, "departments"] as const,
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/awareness/phishing/results", { params: { query: { campaignId: id } } }),
      ).byDepartment,
    refetchInterval: live(status),
  });

export const resendRecipient = async (id: string, rid: string) =>
  expectData(
    await api.POST("/api/v1/awareness/phishing/campaigns/{id}/recipients/{rid}/resend", {
      params: { path: { id, rid } },
    }),
  );

export const interactionsQuery = (
  id: string,
  q: { counted?: boolean; kind?: InteractionKind },
  p: number,
  status: CampaignStatus | undefined,
) =>
  queryOptions({
    queryKey: [...phishingKey, "campaign", id, "interactions", q, p] as const,
    queryFn: async () =>
      expectData(
        await api.GET("/api/v1/awareness/phishing/campaigns/{id}/interactions", {
          params: {
            path: { id },
            query: {
              counted: q.counted === undefined ? undefined : q.counted ? "true" : "false",
              kind: q.kind,
              ...page(p),
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
    refetchInterval: live(status),
  });

export const overrideInteraction = async (id: string, body: { counted: boolean; reason: string }) =>
  expectData(
    await api.POST("/api/v1/awareness/phishing/interactions/{id}/override", {
      params: { path: { id } },
      body,
    }),
  );

/** `from` and `to` are days (YYYY-MM-DD): campaigns whose window starts in between. */
export const resultsQuery = (q: { from?: string; to?: string; departmentId?: string }) =>
  queryOptions({
    queryKey: [...phishingKey, "results", q] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/awareness/phishing/results", { params: { query: q } })),
    placeholderData: keepPreviousData,
  });

export const repeatClickersQuery = (q: { minClicks: number; months: number }) =>
  queryOptions({
    queryKey: [...phishingKey, "repeat-clickers", q] as const,
    queryFn: async () =>
      expectData(await api.GET("/api/v1/awareness/phishing/repeat-clickers", { params: { query: q } })),
  });
