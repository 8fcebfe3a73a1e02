import type { ReactNode } from "react";
import { ForbiddenPage } from "./StatusPages";
import { useCan } from "./session";

/** Renders children only when the session holds the permission (the server enforces it too). */
export function RequirePermission({ permission, children }: { permission: string; children: ReactNode }) {
  return useCan(permission) ? children : <ForbiddenPage />;
}
