/**
 * Directory-specific value conversions: Active Directory's userAccountControl flags and
 * objectGUID, Windows FILETIME and LDAP GeneralizedTime timestamps, and the OpenLDAP
 * ppolicy administrative lock.
 */

/** userAccountControl: ACCOUNTDISABLE. */
export const UAC_ACCOUNTDISABLE = 0x2;
/** userAccountControl: NORMAL_ACCOUNT. */
export const UAC_NORMAL_ACCOUNT = 0x200;

/** ppolicy: this lock time means "locked by an administrator until unlocked". */
export const PPOLICY_ADMIN_LOCK = "000001010000Z";

export interface UacChange {
  /** The value to write, or null when the account already is in the wanted state. */
  value: string | null;
  enabled: boolean;
}

/**
 * The userAccountControl to write so the account is `enabled`: sets or clears bit 2
 * (ACCOUNTDISABLE) and keeps every other flag. A missing or unreadable current value
 * starts from NORMAL_ACCOUNT.
 */
export function uacChange(current: string | number | undefined | null, enabled: boolean): UacChange {
  const parsed = typeof current === "number" ? current : Number.parseInt(String(current ?? ""), 10);
  const base = Number.isFinite(parsed) && parsed >= 0 ? parsed : UAC_NORMAL_ACCOUNT;
  const next = enabled ? base & ~UAC_ACCOUNTDISABLE : base | UAC_ACCOUNTDISABLE;
  return { value: next === parsed ? null : String(next), enabled };
}

/** Whether a userAccountControl value means the account can sign in. */
export function uacEnabled(value: string | undefined): boolean {
  const n = Number.parseInt(value ?? "", 10);
  if (!Number.isFinite(n)) return true;
  return (n & UAC_ACCOUNTDISABLE) === 0;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (s: string) => GUID.test(s);

/**
 * objectGUID bytes as the usual string form. The first three groups are stored
 * little-endian, so the bytes read 3 2 1 0 - 5 4 - 7 6 - 8 9 - 10…15.
 */
export function guidFromBytes(b: Buffer): string {
  if (b.length !== 16) throw new Error("objectGUID must be 16 bytes");
  const h = (i: number) => b[i]!.toString(16).padStart(2, "0");
  const seq = (idx: number[]) => idx.map(h).join("");
  return [seq([3, 2, 1, 0]), seq([5, 4]), seq([7, 6]), seq([8, 9]), seq([10, 11, 12, 13, 14, 15])].join("-");
}

/** The inverse of guidFromBytes: the 16 bytes to search objectGUID with. */
export function guidToBytes(guid: string): Buffer {
  if (!GUID.test(guid)) throw new Error("not a GUID");
  const hex = guid.replace(/-/g, "");
  const raw = Buffer.from(hex, "hex");
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  return Buffer.from(order.map((i) => raw[i]!));
}

/** LDAP GeneralizedTime (YYYYMMDDHHMMSS[.f]Z) as ISO 8601 UTC; undefined when unreadable. */
export function generalizedTimeToIso(value: string | undefined): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?Z$/.exec(value ?? "");
  if (!m) return undefined;
  const [, y, mo, d, h, mi = "00", s = "00", frac = "0"] = m;
  const ms = Math.round(Number(`0.${frac}`) * 1000);
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** Windows FILETIME (100 ns since 1601-01-01) as ISO 8601 UTC; null for 0 / "never". */
export function filetimeToIso(value: string | undefined): string | null | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const ticks = BigInt(value);
  if (ticks === 0n || ticks >= 0x7fffffffffffffffn) return null;
  const ms = Number(ticks / 10_000n) - 11_644_473_600_000;
  return new Date(ms).toISOString();
}
