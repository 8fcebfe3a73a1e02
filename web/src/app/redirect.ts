/**
 * Only same-origin paths are accepted as a post-sign-in destination (no open redirects):
 * must start with one "/", not "//" or "/\", and must not point back at the sign-in page.
 */
export function safeRedirect(target: string | undefined): string {
  if (!target?.startsWith("/") || target.startsWith("//") || target.startsWith("/\\")) return "/";
  if (target === "/signin" || target.startsWith("/signin?") || target.startsWith("/setup")) return "/";
  return target;
}
