import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Api, assign, buildEmployee, buildModule } from "../../test/awareness.js";
import { startTestApp, type TestApp, tempDir } from "../../test/harness.js";

/**
 * Quizzes are graded on the server against the attempt's stored paper: the learner never
 * receives the correct options, and tampering (foreign option ids, questions not drawn,
 * resubmission, attempts beyond the limit) is refused with a 4xx and counts nothing.
 */

let h: TestApp;
let hr: Api;
let security: Api;

interface Attempt {
  attemptId: string;
  seq: number;
  questions: { id: string; prompt: string; kind: string; options: { id: string; text: string }[] }[];
}
interface Result {
  score: number;
  passed: boolean;
  attemptsLeft: number;
  certificateId: string | null;
  questions: { questionId: string; correct: boolean; explanation: string | null }[];
}

beforeAll(async () => {
  h = await startTestApp();
  hr = await h.signedIn(["hr"]);
  security = await h.signedIn(["security"]);
});
afterAll(() => h.close());

/** The right answers, looked up by option text (what an author knows, not what the learner gets). */
const rightAnswers = (a: Attempt) =>
  a.questions.map((q) => ({
    questionId: q.id,
    optionIds: q.options.filter((o) => /: right/.test(o.text)).map((o) => o.id),
  }));
const wrongAnswers = (a: Attempt) =>
  a.questions.map((q) => ({
    questionId: q.id,
    optionIds: [q.options.find((o) => /wrong/.test(o.text))?.id as string],
  }));

async function setup(over: Record<string, unknown> = {}) {
  const { api, person } = await buildEmployee(h, hr);
  const m = await buildModule(security, over);
  await assign(security, { itemType: "module", itemId: m.id, audience: { everyone: true } });
  return { emp: api, person, m };
}

async function start(emp: Api, moduleId: string): Promise<Attempt> {
  const r = await emp.post(`/api/v1/awareness/me/modules/${moduleId}/attempts`);
  expect(r.statusCode, r.body).toBe(201);
  return r.json<Attempt>();
}

const counted = async (personId: string) =>
  Number(
    (
      await h.t.db.query<{ n: string }>(
        "SELECT count(*) AS n FROM awareness_attempts WHERE person_id = $1 AND submitted_at IS NOT NULL",
        [personId],
      )
    ).rows[0]?.n,
  );

describe("an attempt", () => {
  it("never carries the correct options, and randomises question and option order per attempt", async () => {
    const { emp, m } = await setup({ maxAttempts: 20 });
    const a = await start(emp, m.id);
    expect(JSON.stringify(a)).not.toMatch(/correct|explanation/);
    expect(a.questions).toHaveLength(4);
    // The same attempt continues until submitted (same order).
    expect((await start(emp, m.id)).questions).toEqual(a.questions);
    const orders = new Set<string>();
    let last = a;
    for (let i = 0; i < 6; i++) {
      const r = await emp.post(`/api/v1/awareness/me/attempts/${last.attemptId}/submit`, {
        answers: wrongAnswers(last),
      });
      expect(r.statusCode, r.body).toBe(200);
      orders.add(last.questions.map((q) => `${q.id}:${q.options.map((o) => o.id).join(",")}`).join("|"));
      last = await start(emp, m.id);
    }
    expect(orders.size).toBeGreaterThan(1);
  });

  it("draws questionsPerAttempt questions when set", async () => {
    const { emp, m } = await setup({ questionsPerAttempt: 2 });
    expect((await start(emp, m.id)).questions).toHaveLength(2);
  });
});

describe("tampering", () => {
  it("foreign option ids, questions not in the attempt and double answers are 422 naming the field; nothing counted", async () => {
    const { emp, person, m } = await setup({ questionsPerAttempt: 3 });
    const a = await start(emp, m.id);
    const other = await buildModule(security);
    const notDrawn = m.questions.find((q) => !a.questions.some((x) => x.id === q.id)) as { id: string };
    const cases: [unknown[], string][] = [
      [
        [{ questionId: a.questions[0]?.id, optionIds: [other.questions[0]?.options[0]?.id] }],
        "answers.0.optionIds",
      ],
      [[{ questionId: notDrawn.id, optionIds: [] }], "answers.0.questionId"],
      [[{ questionId: "01J00000000000000000000000", optionIds: [] }], "answers.0.questionId"],
      [
        [
          { questionId: a.questions[0]?.id, optionIds: [] },
          { questionId: a.questions[0]?.id, optionIds: [] },
        ],
        "answers.1.questionId",
      ],
      // An option of another question of the same attempt.
      [
        [{ questionId: a.questions[0]?.id, optionIds: [a.questions[1]?.options[0]?.id] }],
        "answers.0.optionIds",
      ],
    ];
    const single = a.questions.find((q) => q.kind === "single") as Attempt["questions"][number];
    const singleIndex = 0;
    cases.push([
      [{ questionId: single.id, optionIds: single.options.slice(0, 2).map((o) => o.id) }],
      `answers.${singleIndex}.optionIds`,
    ]);
    for (const [answers, field] of cases) {
      const r = await emp.post(`/api/v1/awareness/me/attempts/${a.attemptId}/submit`, { answers });
      expect(r.statusCode, JSON.stringify(answers)).toBe(422);
      expect(r.json<{ code: string; errors: { path: string }[] }>().code).toBe("awareness.invalid_answers");
      expect(r.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toContain(field);
    }
    const unknownField = await emp.post(`/api/v1/awareness/me/attempts/${a.attemptId}/submit`, {
      answers: [],
      score: 100,
    });
    expect(unknownField.statusCode).toBe(400);
    expect(await counted(person.id)).toBe(0);
    // The attempt is still open and can be answered properly.
    const ok = await emp.post(`/api/v1/awareness/me/attempts/${a.attemptId}/submit`, {
      answers: rightAnswers(a),
    });
    expect(ok.json<Result>()).toMatchObject({ score: 100, passed: true });
  });

  it("a submitted attempt cannot be resubmitted, and someone else's attempt is 404", async () => {
    const { emp, m } = await setup();
    const a = await start(emp, m.id);
    const first = await emp.post(`/api/v1/awareness/me/attempts/${a.attemptId}/submit`, {
      answers: wrongAnswers(a),
    });
    expect(first.json<Result>()).toMatchObject({ passed: false, score: 0, attemptsLeft: 1 });
    expect(first.json<Result>().questions.every((q) => q.explanation === null)).toBe(true);
    const again = await emp.post(`/api/v1/awareness/me/attempts/${a.attemptId}/submit`, {
      answers: rightAnswers(a),
    });
    expect(again.statusCode).toBe(409);
    expect(again.json<{ code: string }>().code).toBe("awareness.attempt_submitted");
    const stranger = (await buildEmployee(h, hr)).api;
    const theirs = await stranger.post(`/api/v1/awareness/me/attempts/${a.attemptId}/submit`, {
      answers: [],
    });
    expect(theirs.statusCode).toBe(404);
    const row = await h.t.db.query<{ score: number }>("SELECT score FROM awareness_attempts WHERE id = $1", [
      a.attemptId,
    ]);
    expect(row.rows[0]?.score).toBe(0);
  });

  it("attempts beyond the limit are refused (409) and nothing is counted", async () => {
    const { emp, person, m } = await setup({ maxAttempts: 2 });
    for (let i = 0; i < 2; i++) {
      const a = await start(emp, m.id);
      await emp.post(`/api/v1/awareness/me/attempts/${a.attemptId}/submit`, { answers: wrongAnswers(a) });
    }
    const third = await emp.post(`/api/v1/awareness/me/modules/${m.id}/attempts`);
    expect(third.statusCode).toBe(409);
    expect(third.json<{ code: string }>().code).toBe("awareness.attempts_exhausted");
    expect(await counted(person.id)).toBe(2);
    const view = await emp.get(`/api/v1/awareness/me/modules/${m.id}`);
    expect(view.json<{ attemptsLeft: number; status: string }>()).toMatchObject({
      attemptsLeft: 0,
      status: "open",
    });
  });

  it("training not assigned to the caller is 404; unpublished modules are invisible", async () => {
    const { api } = await buildEmployee(h, hr);
    const m = await buildModule(security, {}, false);
    expect((await api.get(`/api/v1/awareness/me/modules/${m.id}`)).statusCode).toBe(404);
    expect((await api.post(`/api/v1/awareness/me/modules/${m.id}/attempts`)).statusCode).toBe(404);
    const published = await buildModule(security);
    expect((await api.post(`/api/v1/awareness/me/modules/${published.id}/attempts`)).statusCode).toBe(404);
  });
});

describe("passing", () => {
  it("completes the assignment, issues a certificate whose PDF parses, and the download is audited", async () => {
    const { emp, person, m } = await setup();
    const a = await start(emp, m.id);
    // 3 of 4 right = 75 %, the pass mark.
    const answers = rightAnswers(a);
    answers[0] = wrongAnswers(a)[0] as (typeof answers)[number];
    const r = await emp.post(`/api/v1/awareness/me/attempts/${a.attemptId}/submit`, { answers });
    const result = r.json<Result>();
    expect(result).toMatchObject({ score: 75, passed: true, attemptsLeft: 0 });
    expect(result.questions.filter((q) => q.correct)).toHaveLength(3);
    expect(result.questions[0]?.explanation).toMatch(/^Because of Q/);
    expect(result.certificateId).toBeTruthy();

    const mine = await emp.get("/api/v1/awareness/me?status=done");
    expect(mine.json<{ items: { itemId: string; certificateId: string }[] }>().items).toContainEqual(
      expect.objectContaining({ itemId: m.id, certificateId: result.certificateId }),
    );
    // Passed: no new attempt.
    const more = await emp.post(`/api/v1/awareness/me/modules/${m.id}/attempts`);
    expect(more.json<{ code: string }>().code).toBe("awareness.already_completed");

    const pdf = await emp.request({
      method: "GET",
      url: `/api/v1/awareness/me/certificates/${result.certificateId}`,
    });
    expect(pdf.statusCode).toBe(200);
    expect(String(pdf.headers["content-type"])).toMatch(/^application\/pdf/);
    const dir = tempDir();
    const file = path.join(dir, "cert.pdf");
    const res = await h.t.app.inject({
      method: "GET",
      url: `/api/v1/awareness/me/certificates/${result.certificateId}`,
      headers: { cookie: [...emp.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    fs.writeFileSync(file, res.rawPayload);
    const text = execFileSync("pdftotext", [file, "-"]).toString();
    fs.rmSync(dir, { recursive: true, force: true });
    expect(text).toContain("Certificate of completion");
    expect(text).toContain("Tailgating");
    expect(text).toContain("75 %");
    expect(text).toContain(String(result.certificateId));
    const audit = await h.t.db.query(
      "SELECT 1 FROM audit_log WHERE action = 'awareness.certificate_downloaded' AND target_id = $1",
      [result.certificateId],
    );
    expect(audit.rowCount).toBe(2);
    // Someone else's certificate is 404.
    const stranger = (await buildEmployee(h, hr)).api;
    expect((await stranger.get(`/api/v1/awareness/me/certificates/${result.certificateId}`)).statusCode).toBe(
      404,
    );
    const st = await h.t.db.query<{ status: string }>(
      "SELECT status FROM awareness_assignments WHERE person_id = $1 AND item_id = $2",
      [person.id, m.id],
    );
    expect(st.rows.map((x) => x.status)).toEqual(["done"]);
  });
});

describe("authoring modules", () => {
  it("validates questions, keeps answers from learners, and needs questions to publish", async () => {
    const bad = await security.post("/api/v1/awareness/modules", {
      title: "x",
      body: "y",
      questionsPerAttempt: 3,
      questions: [
        {
          prompt: "p",
          kind: "single",
          options: [
            { text: "a", correct: true },
            { text: "b", correct: true },
          ],
        },
      ],
    });
    expect(bad.statusCode).toBe(400);
    const paths = bad.json<{ errors: { path: string }[] }>().errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["body.questions.0.options", "body.questionsPerAttempt"]));
    const empty = await buildModule(security, { questions: [] }, false);
    const pub = await security.post(`/api/v1/awareness/modules/${empty.id}/publish`);
    expect(pub.statusCode).toBe(409);
    expect(pub.json<{ code: string }>().code).toBe("awareness.no_questions");
    const employee = await h.signedIn(["employee"]);
    expect((await employee.get(`/api/v1/awareness/modules/${empty.id}`)).statusCode).toBe(403);
    const auditor = await h.signedIn(["auditor"]);
    expect((await auditor.get(`/api/v1/awareness/modules/${empty.id}`)).statusCode).toBe(200);
    expect(
      (await auditor.put(`/api/v1/awareness/modules/${empty.id}`, { title: "x", body: "y" })).statusCode,
    ).toBe(403);
  });

  it("editing keeps question ids; removed questions stay gradable for attempts under way", async () => {
    const { emp, m } = await setup();
    const a = await start(emp, m.id);
    const kept = m.questions.slice(0, 2).map((q) => ({
      id: q.id,
      prompt: q.prompt,
      kind: "single",
      options: q.options.map((o) => ({ id: o.id, text: o.text, correct: o.correct })),
    }));
    const put = await security.put(`/api/v1/awareness/modules/${m.id}`, {
      title: "Tailgating v2",
      body: "New text",
      passMark: 75,
      maxAttempts: 2,
      questions: kept,
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json<{ questions: { id: string }[] }>().questions.map((q) => q.id)).toEqual(
      kept.map((q) => q.id),
    );
    const r = await emp.post(`/api/v1/awareness/me/attempts/${a.attemptId}/submit`, {
      answers: rightAnswers(a),
    });
    expect(r.json<Result>()).toMatchObject({ score: 100, passed: true });
    const foreign = await security.put(`/api/v1/awareness/modules/${m.id}`, {
      title: "x",
      body: "y",
      questions: [{ ...kept[0], id: "01J00000000000000000000000" }],
    });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe("questions.0.id");
  });
});
