import { expect } from "vitest";
import type { TestApp } from "./harness.js";

/** Factories for awareness tests: people linked to signed-in users, policies and modules. */

export type Api = Awaited<ReturnType<TestApp["signedIn"]>>;

let n = 0;
const tag = () => `${process.pid}${++n}${Math.random().toString(36).slice(2, 6)}`;

/** A signed-in employee with an HR record (hired by `hr` through the People API). */
export async function buildEmployee(h: TestApp, hr: Api, over: Record<string, unknown> = {}) {
  const t = tag();
  const email = `aw.${t}@corp.test`;
  const api = await h.signedIn(["employee"], email);
  const res = await hr.post("/api/v1/people", {
    employeeNumber: `W${t}`,
    legalName: `Willa Learner ${n}`,
    workEmail: email,
    status: "active",
    ...over,
  });
  expect(res.statusCode, res.body).toBe(201);
  return { api, person: res.json<{ id: string; employeeNumber: string }>() };
}

export const EVERYONE = { everyone: true };

export async function buildPolicy(author: Api, over: Record<string, unknown> = {}) {
  const res = await author.post("/api/v1/awareness/policies", {
    title: `Clean desk policy ${tag()}`,
    owner: "Security",
    reviewDue: "2030-01-31",
    audience: EVERYONE,
    body: "# Clean desk\n\nLock your screen and clear your desk.",
    ...over,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string; status: string; versions: { version: number }[] }>();
}

export async function publishPolicy(author: Api, id: string) {
  const res = await author.post(`/api/v1/awareness/policies/${id}/publish`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ currentVersion: number; asked: number }>();
}

export function question(prompt: string, kind: "single" | "multiple" = "single") {
  return {
    prompt,
    kind,
    options:
      kind === "single"
        ? [
            { text: `${prompt}: right`, correct: true },
            { text: `${prompt}: wrong`, correct: false },
            { text: `${prompt}: also wrong`, correct: false },
          ]
        : [
            { text: `${prompt}: right A`, correct: true },
            { text: `${prompt}: right B`, correct: true },
            { text: `${prompt}: wrong`, correct: false },
          ],
    explanation: `Because of ${prompt}`,
  };
}

export async function buildModule(author: Api, over: Record<string, unknown> = {}, publish = true) {
  const res = await author.post("/api/v1/awareness/modules", {
    title: `Tailgating ${tag()}`,
    summary: "Doors and badges",
    body: "Hold the door for nobody you do not know.",
    passMark: 75,
    maxAttempts: 2,
    questions: [question("Q1"), question("Q2"), question("Q3", "multiple"), question("Q4")],
    ...over,
  });
  expect(res.statusCode, res.body).toBe(201);
  const m = res.json<{
    id: string;
    questions: { id: string; prompt: string; options: { id: string; text: string; correct: boolean }[] }[];
  }>();
  if (publish) {
    const p = await author.post(`/api/v1/awareness/modules/${m.id}/publish`);
    expect(p.statusCode, p.body).toBe(200);
  }
  return m;
}

export async function assign(author: Api, body: Record<string, unknown>) {
  const res = await author.post("/api/v1/awareness/assignments", { audience: EVERYONE, ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ created: number; skipped: number; inAudience: number }>();
}
