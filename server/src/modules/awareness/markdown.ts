/**
 * A deliberately small Markdown renderer for policy and training texts: headings, paragraphs,
 * bulleted and numbered lists, block quotes, simple tables, fenced code, inline code, bold,
 * italics and links. Everything is escaped first; only the tags written here are produced, and links
 * keep http(s) and mailto targets only. Raw HTML in the source is shown as text.
 */

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

const SAFE_URL = /^(https?:\/\/[^\s]+|mailto:[^\s]+)$/i;

/** Inline formatting on one escaped line: code spans first, so their content stays literal. */
function inline(raw: string): string {
  const parts = raw.split(/(`[^`]+`)/);
  return parts
    .map((part) => {
      if (part.length > 1 && part.startsWith("`") && part.endsWith("`"))
        return `<code>${escapeHtml(part.slice(1, -1))}</code>`;
      let s = escapeHtml(part);
      // Links become placeholders while emphasis is applied, so a URL is never rewritten.
      const hrefs: string[] = [];
      s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, text: string, url: string) => {
        // The URL was escaped with the rest; undo the entity for & only to test the scheme.
        const plain = url.replace(/&amp;/g, "&");
        if (!SAFE_URL.test(plain)) return text;
        hrefs.push(url);
        return `<a href="\ue000${hrefs.length - 1}\ue000" rel="noopener noreferrer">${text}</a>`;
      });
      s = s.replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");
      s = s.replace(/(^|[^*\w])\*([^*\s][^*]*)\*(?!\w)/g, "$1<em>$2</em>");
      s = s.replace(/(^|[^_\w])_([^_\s][^_]*)_(?!\w)/g, "$1<em>$2</em>");
      return s.replace(/\ue000(\d+)\ue000/g, (_m, n: string) => hrefs[Number(n)] as string);
    })
    .join("");
}

type Block = { kind: "p" | "ul" | "ol" | "quote"; lines: string[] };

export function renderMarkdown(source: string): string {
  const out: string[] = [];
  const lines = source
    .replace(/\ue000/g, "")
    .replace(/\r\n?/g, "\n")
    .split("\n");
  let block: Block | null = null;
  const flush = () => {
    if (!block) return;
    if (block.kind === "p") out.push(`<p>${block.lines.map(inline).join(" ")}</p>`);
    else if (block.kind === "quote")
      out.push(`<blockquote><p>${block.lines.map(inline).join(" ")}</p></blockquote>`);
    else
      out.push(`<${block.kind}>${block.lines.map((l) => `<li>${inline(l)}</li>`).join("")}</${block.kind}>`);
    block = null;
  };
  const add = (kind: Block["kind"], text: string) => {
    if (block?.kind !== kind) {
      flush();
      block = { kind, lines: [] };
    }
    (block as Block).lines.push(text);
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^```/.test(line.trim())) {
      flush();
      const code: string[] = [];
      i++;
      while (i < lines.length && !/^```/.test((lines[i] as string).trim())) code.push(lines[i++] as string);
      out.push(`<pre><code>${escapeHtml(code.join("\n"))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,4})\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      const level = (heading[1] as string).length + 1; // the page title is the h1
      out.push(`<h${level}>${inline(heading[2] as string)}</h${level}>`);
      continue;
    }
    if (/^\s*\|/.test(line)) {
      flush();
      const rows: string[][] = [];
      while (i < lines.length && /^\s*\|/.test(lines[i] as string)) {
        const cells = (lines[i] as string).trim().replace(/^\|/, "").replace(/\|$/, "").split("|");
        // The separator row under the header (---|:---:) carries no content.
        if (!cells.every((c) => /^\s*:?-{2,}:?\s*$/.test(c))) rows.push(cells.map((c) => c.trim()));
        i++;
      }
      i--;
      const [head, ...body] = rows;
      out.push(
        `<table><thead><tr>${(head ?? []).map((c) => `<th>${inline(c)}</th>`).join("")}</tr></thead><tbody>${body
          .map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join("")}</tr>`)
          .join("")}</tbody></table>`,
      );
      continue;
    }
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
    if (bullet) {
      add("ul", bullet[1] as string);
      continue;
    }
    const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    if (numbered) {
      add("ol", numbered[1] as string);
      continue;
    }
    const quote = /^>\s?(.*)$/.exec(line);
    if (quote) {
      add("quote", quote[1] as string);
      continue;
    }
    if (!line.trim()) {
      flush();
      continue;
    }
    // A continuation line of a list item joins that item.
    const current = block as Block | null;
    if (current && (current.kind === "ul" || current.kind === "ol") && /^\s+/.test(line)) {
      current.lines[current.lines.length - 1] += ` ${line.trim()}`;
      continue;
    }
    add("p", line.trim());
  }
  flush();
  return out.join("\n");
}
