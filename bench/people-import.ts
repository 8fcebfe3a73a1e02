import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { buildApp } from "../server/src/app.js";
import { type ImportResult, importPeople } from "../server/src/modules/people/index.js";
import { loadConfig } from "../server/src/platform/config/index.js";
import { createLogger } from "../server/src/platform/log/index.js";

/**
 * Benchmark "people-import": a CSV of 100,000 people (realistic names, departments, job roles,
 * locations and a reporting tree; mostly active, some pre-hires, candidates, people on notice
 * and leavers) checked (dry run), applied, and applied again unchanged, by the same code the
 * API and `tandem import people` use, on the embedded database in a temporary directory.
 * Targets: dry run + apply under 60 s, the identical re-import under 30 s. Each step also
 * reports the CPU time it used, which says more than wall time on a busy machine. A last step
 * (no target) applies the same file with a month's worth of changes: about one person in ten
 * moves department, one in 25 changes manager, one in 50 changes name, one in 100 leaves.
 *
 *   BENCH_IMPORT_ROWS   people in the file (default 100000)
 *   BENCH_IMPORT_ORDER  "number" (default: by employee number, managers first) or "name"
 *                       (by surname: about half the managers come after their reports)
 */

export interface PeopleImportSettings {
  rows: number;
  order: "number" | "name";
}

const FIRST = (
  "Aisha Ben Carla Dmitri Elena Farid Grace Hiro Ines Jonas Keira Luca Maya Nikhil Olga Pedro Qi Rosa Samuel " +
  "Thandi Uma Victor Wen Xavier Yara Zane Amara Bruno Chloe Dawit Emma Felix Gita Hamza Isla Joao Kofi Lena " +
  "Mateo Nadia Oscar Priya Rafael Sofia Tariq Ursula Vera William Ximena Yusuf Zoe Lindiwe Sipho Anika Jakob"
).split(" ");
const LAST = (
  "Abbott Botha Chen Dlamini Eriksen Fernandes Garcia Haddad Ivanova Jansen Khumalo Lopez Mokoena Nakamura " +
  "Okafor Petrov Quinn Rossi Smith Tanaka Umar Van der Merwe Wang Xu Yilmaz Zulu Adeyemi Becker Costa Dubois " +
  "Evans Fischer Gupta Horvat Ito Johansson Kowalski Larsen Muller Naidoo Olsen Pillay Rahman Schmidt Torres " +
  "Urbano Visser Weber Young Zimmermann"
).split(" ");
const ORG: Record<string, string[]> = {
  Engineering: [
    "Software Engineer",
    "Senior Software Engineer",
    "Engineering Manager",
    "Site Reliability Engineer",
  ],
  Security: ["Security Analyst", "Security Engineer", "CISO"],
  "IT Operations": ["IT Support Specialist", "Systems Administrator", "IT Manager"],
  Finance: ["Accountant", "Financial Analyst", "Payroll Officer", "CFO"],
  "People & Culture": ["HR Business Partner", "Recruiter", "HR Administrator"],
  Legal: ["Legal Counsel", "Compliance Officer", "Paralegal"],
  Sales: ["Account Executive", "Sales Development Rep", "Sales Manager"],
  Marketing: ["Marketing Specialist", "Content Writer", "Brand Manager"],
  "Customer Success": ["Customer Success Manager", "Support Agent", "Support Lead"],
  Operations: ["Operations Analyst", "Logistics Coordinator", "Operations Manager"],
  Product: ["Product Manager", "Product Designer", "UX Researcher"],
  Data: ["Data Analyst", "Data Engineer", "Data Scientist"],
  Procurement: ["Buyer", "Procurement Manager"],
  Facilities: ["Facilities Coordinator", "Office Manager"],
};
const LOCATIONS = [
  "Cape Town",
  "Johannesburg",
  "London",
  "Amsterdam",
  "Nairobi",
  "Lagos",
  "New York",
  "Singapore",
];
const HEADER =
  "employee_number,legal_name,preferred_name,work_email,department,job_role,manager_employee_number,location,employment_type,status,start_date,end_date,termination_type";

/** A small seeded generator (mulberry32): the same file every run. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const number = (k: number) => `E${String(k).padStart(6, "0")}`;

/**
 * Writes the CSV: person k reports to person ⌊(k−2)/6⌋+1, so the tree is about seven levels deep.
 * `changed`: the same people with the changes described above (for active people only; a new
 * manager always has a smaller number, so no reporting loop can form).
 */
export function writePeopleCsv(file: string, rows: number, order: "number" | "name", changed = false): void {
  const rnd = random(20_240_601);
  const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)] as T;
  const departments = Object.keys(ORG);
  const lastManager = Math.floor((rows - 2) / 6) + 1;
  const lines: { key: string; text: string }[] = [];
  for (let k = 1; k <= rows; k++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    let dept = k === 1 ? "Operations" : pick(departments);
    let role = pick(ORG[dept] as string[]);
    let status = "active";
    let start = day(-30 - Math.floor(rnd() * 3650));
    let end = "";
    let term = "";
    if (k > lastManager) {
      const r = rnd();
      if (r < 0.005) [status, start] = ["candidate", ""];
      else if (r < 0.025) [status, start] = ["pre_hire", day(10 + Math.floor(rnd() * 50))];
      else if (r < 0.026) [status, end] = ["notice", day(10 + Math.floor(rnd() * 30))];
      else if (r < 0.046)
        [status, start, end, term] = [
          "leaver",
          day(-400 - Math.floor(rnd() * 3000)),
          day(-1 - Math.floor(rnd() * 300)),
          "voluntary",
        ];
    }
    let name = `${first} ${last}`;
    let manager = k === 1 ? "" : number(Math.floor((k - 2) / 6) + 1);
    if (changed && status === "active" && k > 1) {
      if (k % 100 === 7 && k > lastManager) [status, end, term] = ["leaver", day(-1), "involuntary"];
      else if (k % 10 === 3) {
        dept = departments[(departments.indexOf(dept) + 1) % departments.length] as string;
        role = (ORG[dept] as string[])[0] as string;
      } else if (k % 25 === 4 && k >= 8) manager = number(Math.floor((k - 2) / 6));
      else if (k % 50 === 5) name = `${first} ${last}-Okoye`;
    }
    const fields = [
      number(k),
      name,
      rnd() < 0.1 ? first.slice(0, 3) : "",
      `${first}.${last}.${k}@example.com`.toLowerCase().replace(/ /g, ""),
      dept,
      role,
      manager,
      pick(LOCATIONS),
      rnd() < 0.9 ? "employee" : "contractor",
      status,
      start,
      end,
      term,
    ];
    lines.push({ key: order === "name" ? `${last} ${first} ${k}` : "", text: fields.join(",") });
  }
  if (order === "name") lines.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const fd = fs.openSync(file, "w");
  fs.writeSync(fd, `${HEADER}\r\n`);
  for (let i = 0; i < lines.length; i += 5000)
    fs.writeSync(
      fd,
      `${lines
        .slice(i, i + 5000)
        .map((l) => l.text)
        .join("\r\n")}\r\n`,
    );
  fs.closeSync(fd);
}

const say = (msg: string) => process.stderr.write(`[bench people-import] ${msg}\n`);

export async function peopleImportBench(s: PeopleImportSettings) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tandem-bench-import-"));
  const file = path.join(dir, "people.csv");
  const changedFile = path.join(dir, "people-changed.csv");
  say(`writing ${s.rows} people (${s.order} order)`);
  writePeopleCsv(file, s.rows, s.order);
  writePeopleCsv(changedFile, s.rows, s.order, true);
  const config = loadConfig({
    TANDEM_DATA_DIR: path.join(dir, "data"),
    TANDEM_LOG_LEVEL: "warn",
    TANDEM_JOBS: "false",
    TANDEM_AUDIT_CHECKPOINT_MINUTES: "0",
  });
  const t = await buildApp(config, { log: createLogger("warn", process.stderr), env: {} });
  let peakRss = 0;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 200);
  const ctx = { actorLabel: "bench", userAgent: "bench" };
  const step = async (label: string, dryRun: boolean, csv = file) => {
    const loadAvg1mBefore = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
    const started = performance.now();
    const cpu = process.cpuUsage();
    const r: ImportResult = await importPeople(
      { db: t.db, people: t.people, events: t.events, jobs: t.jobs },
      ctx,
      () => fs.createReadStream(csv),
      {
        dryRun,
        createMissingOrg: true,
        fileName: path.basename(csv),
        maxItems: 0,
        onProgress: (phase, n) => say(`${label}: ${phase} ${n}`),
      },
    );
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = Math.round((used.user + used.system) / 1e4) / 100;
    if (r.counts.errors) throw new Error(`${label}: ${JSON.stringify(r.errors.slice(0, 5))}`);
    if (!dryRun && !r.applied) throw new Error(`${label}: not applied (${r.run.state})`);
    say(`${label}: ${seconds.toFixed(1)} s (${cpuSeconds} s CPU)`);
    return {
      seconds: Math.round(seconds * 100) / 100,
      rowsPerSec: Math.round(r.counts.rows / seconds),
      /** CPU time of this process (the embedded database runs in it): what the step costs on an idle machine. */
      cpuSeconds,
      loadAvg1mBefore,
      counts: r.counts,
    };
  };
  try {
    const dryRun = await step("dry run", true);
    const apply = await step("apply", false);
    const reapply = await step("identical re-import", false);
    const changes = await step("changes", false, changedFile);
    const people = await t.db.query<{ n: string }>("SELECT count(*)::text AS n FROM people");
    const audit = await t.db.query<{ n: string }>("SELECT count(*)::text AS n FROM audit_log");
    return {
      benchmark: "people-import",
      database: "PGlite, file-backed (temporary directory)",
      rows: s.rows,
      order: s.order,
      fileMB: Math.round(fs.statSync(file).size / 1e5) / 10,
      cpus: os.cpus().length,
      steps: { dryRun, apply, reapply, changes },
      totals: {
        dryRunPlusApplySec: Math.round((dryRun.seconds + apply.seconds) * 100) / 100,
        reapplySec: reapply.seconds,
      },
      targets: { dryRunPlusApplySec: 60, reapplySec: 30 },
      meetsTarget: {
        dryRunPlusApply: dryRun.seconds + apply.seconds < 60,
        reapply: reapply.seconds < 30,
      },
      peopleInDatabase: Number(people.rows[0]?.n),
      auditEntries: Number(audit.rows[0]?.n),
      /** The whole process, the embedded database's WebAssembly memory included. */
      peakRssMB: Math.round(peakRss / 1e6),
      /** JavaScript objects only: what the import itself holds (it never holds the rows). */
      peakHeapMB: Math.round(peakHeap / 1e6),
    };
  } finally {
    clearInterval(sampler);
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function settingsFromEnv(): PeopleImportSettings {
  const rows = Number(process.env.BENCH_IMPORT_ROWS || 100_000);
  if (!Number.isInteger(rows) || rows < 2) throw new Error("BENCH_IMPORT_ROWS must be a whole number ≥ 2");
  const order = process.env.BENCH_IMPORT_ORDER || "number";
  if (order !== "number" && order !== "name")
    throw new Error('BENCH_IMPORT_ORDER must be "number" or "name"');
  return { rows, order };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    const result = await peopleImportBench(settingsFromEnv());
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  }
}
