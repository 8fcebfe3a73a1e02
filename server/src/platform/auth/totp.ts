import { authenticator } from "otplib";
import QRCode from "qrcode";

authenticator.options = { step: 30, window: 1, digits: 6 };

export function newTotpSecret(): string {
  return authenticator.generateSecret(20);
}

export function otpauthUrl(email: string, secret: string): string {
  return authenticator.keyuri(email, "Tandem", secret);
}

export function qrDataUrl(url: string): Promise<string> {
  return QRCode.toDataURL(url, { errorCorrectionLevel: "M", margin: 1, width: 240 });
}

/**
 * Checks a TOTP code and returns its time step, or null. The caller stores the step and
 * refuses any code whose step is not newer, so each code is accepted only once.
 */
export function totpStep(secret: string, code: string, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = authenticator.checkDelta(code, secret);
  if (delta === null) return null;
  return Math.floor(now / 1000 / 30) + delta;
}

export function totpNow(secret: string): string {
  return authenticator.generate(secret);
}
