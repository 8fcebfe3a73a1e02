import { z } from "zod";
import { badRequest } from "./errors.js";

/** Opaque cursors: base64url JSON, validated on the way back in. */
export function encodeCursor(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export function decodeCursor<T extends z.ZodTypeAny>(
  cursor: string | undefined,
  shape: T,
): z.infer<T> | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = shape.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    if (parsed.success) return parsed.data;
  } catch {
    /* fall through */
  }
  throw badRequest("request.bad_cursor", "The cursor is malformed or from another list", [
    { path: "cursor", message: "invalid cursor" },
  ]);
}

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
