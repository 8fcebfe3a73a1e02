/** The server may answer with a relative link ("/setup?token=…"); people need the full address to share. */
export function absoluteUrl(link: string): string {
  try {
    return new URL(link, window.location.origin).href;
  } catch {
    return link;
  }
}
