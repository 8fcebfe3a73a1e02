/**
 * Carrying out one step on a system, and deciding from the account as read back whether
 * the step holds. Nothing counts as done because a call returned: only what the system
 * reports afterwards does.
 */
import { type Account, type AccountSpec, type Connector, ConnectorError } from "../../connectors/index.js";
import { holds } from "./accounts.js";
import type { StepAction } from "./schemas.js";

export interface RunnableStep {
  id: string;
  plan_id: string;
  seq: number;
  system_id: string;
  action: StepAction;
  account_id: string | null;
  account_ref: string | null;
  entitlement_ref: string | null;
  spec: Record<string, unknown>;
  state: "pending" | "applied" | "manual";
  attempts: number;
  depends_on: string | null;
  dep_account_ref: string | null;
  person_id: string | null;
  reason: string;
  hr_event_at: Date | string | null;
}

/** The account a step works on: its own, or the one its create step made. */
export const accountRefOf = (s: RunnableStep): string | null => s.account_ref ?? s.dep_account_ref;

/** Operations that reach their goal when the account or entitlement is already gone. */
const GONE_IS_DONE = new Set<StepAction>(["disable", "delete", "revoke", "revoke_sessions"]);

/** Applies a step; returns the account's external id it worked on. */
export async function applyStep(c: Connector, s: RunnableStep): Promise<string> {
  if (s.action === "create") {
    const spec = s.spec as unknown as AccountSpec;
    const made = await c.createAccount({
      username: spec.username,
      email: spec.email,
      displayName: spec.displayName,
      employeeNumber: spec.employeeNumber,
      ...(spec.givenName ? { givenName: spec.givenName } : {}),
      ...(spec.familyName ? { familyName: spec.familyName } : {}),
      enabled: spec.enabled,
    });
    // An existing account was linked rather than created: bring it to the state asked for.
    if (made.enabled !== spec.enabled) {
      if (spec.enabled) await c.enableAccount(made.externalId);
      else await c.disableAccount(made.externalId);
    }
    return made.externalId;
  }
  const ref = accountRefOf(s);
  if (!ref) throw new ConnectorError("not_found", "the step names no account (its create step made none)");
  try {
    switch (s.action) {
      case "enable":
        await c.enableAccount(ref);
        break;
      case "disable":
        await c.disableAccount(ref);
        break;
      case "delete":
        await c.deleteAccount(ref);
        break;
      case "grant":
        await c.grant(ref, s.entitlement_ref as string);
        break;
      case "revoke":
        await c.revoke(ref, s.entitlement_ref as string);
        break;
      case "revoke_sessions":
        if (!c.revokeSessions)
          throw new ConnectorError("unsupported", "the system does not let Tandem end sessions");
        await c.revokeSessions(ref);
        break;
      default:
        throw new ConnectorError("unsupported", `${s.action} is not carried out by a connector`);
    }
  } catch (err) {
    // Deleted by hand between plan and run: the account (or group) is gone, which is the goal.
    if (!(err instanceof ConnectorError && err.kind === "not_found" && GONE_IS_DONE.has(s.action))) throw err;
  }
  return ref;
}

/** Whether the account as read back shows the step done; when not, what it shows instead. */
export function verifyStep(s: RunnableStep, account: Account | null): { ok: boolean; detail?: string } {
  const ent = s.entitlement_ref ?? "";
  switch (s.action) {
    case "create": {
      const enabled = Boolean((s.spec as { enabled?: boolean }).enabled);
      if (!account) return { ok: false, detail: "the account is not there" };
      if (account.enabled !== enabled)
        return { ok: false, detail: `the account is ${account.enabled ? "enabled" : "disabled"}` };
      return { ok: true };
    }
    case "enable":
      if (!account) return { ok: false, detail: "the account is not there" };
      return account.enabled ? { ok: true } : { ok: false, detail: "the account is still disabled" };
    case "disable":
      return !account?.enabled ? { ok: true } : { ok: false, detail: "the account is still enabled" };
    case "delete":
      return !account ? { ok: true } : { ok: false, detail: "the account still exists" };
    case "grant":
      if (!account) return { ok: false, detail: "the account is not there" };
      return holds(account.entitlements, ent) ? { ok: true } : { ok: false, detail: `${ent} is not held` };
    case "revoke":
      return !account || !holds(account.entitlements, ent)
        ? { ok: true }
        : { ok: false, detail: `${ent} is still held` };
    case "revoke_sessions":
      // Systems do not report sessions: the call succeeding is all there is to check.
      return { ok: true };
    default:
      return { ok: false, detail: `${s.action} cannot be verified by a connector` };
  }
}

/** Delay before the next attempt: exponential backoff, or longer when the system said so. */
export function backoffMs(attempts: number, baseSeconds: number, retryAfterMs?: number): number {
  const exp = Math.min(3600, baseSeconds * 2 ** Math.max(0, attempts - 1)) * 1000;
  return Math.max(exp, retryAfterMs ?? 0);
}
