import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown.js";

describe("the Markdown subset renderer", () => {
  it("renders headings, paragraphs, lists, quotes, tables and code", () => {
    const html = renderMarkdown(
      [
        "# Title",
        "",
        "Some **bold** and *italic* and _also italic_ text",
        "on two lines.",
        "",
        "- one",
        "- two with `code <b>`",
        "",
        "1. first",
        "2. second",
        "",
        "> quoted",
        "",
        "| a | b |",
        "|---|---|",
        "| 1 | **2** |",
        "",
        "```",
        "<script>alert(1)</script>",
        "```",
      ].join("\n"),
    );
    expect(html).toContain("<h2>Title</h2>");
    expect(html).toContain(
      "<p>Some <strong>bold</strong> and <em>italic</em> and <em>also italic</em> text on two lines.</p>",
    );
    expect(html).toContain("<ul><li>one</li><li>two with <code>code &lt;b&gt;</code></li></ul>");
    expect(html).toContain("<ol><li>first</li><li>second</li></ol>");
    expect(html).toContain("<blockquote><p>quoted</p></blockquote>");
    expect(html).toContain(
      "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td><strong>2</strong></td></tr></tbody></table>",
    );
    expect(html).toContain("<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></pre>");
  });

  it("escapes raw HTML and attributes everywhere", () => {
    const html = renderMarkdown('Hello <img src=x onerror="alert(1)"> & <a href="javascript:x">y</a>');
    expect(html).not.toMatch(/<img|<a /);
    expect(html).toContain(
      "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &lt;a href=&quot;javascript:x&quot;&gt;",
    );
  });

  it("keeps links to http(s) and mailto only, and never rewrites their addresses", () => {
    const html = renderMarkdown(
      "[ok](https://example.com/a_b_c?x=1&y=*2*) [mail](mailto:sec@example.com) [bad](javascript:alert(1)) [data](data:text/html;base64,AAAA)",
    );
    expect(html).toContain(
      '<a href="https://example.com/a_b_c?x=1&amp;y=*2*" rel="noopener noreferrer">ok</a>',
    );
    expect(html).toContain('<a href="mailto:sec@example.com" rel="noopener noreferrer">mail</a>');
    expect(html).not.toContain("javascript:");
    expect(html).not.toContain("data:");
    expect(html).toContain("bad");
  });

  it("cannot be tricked with quotes in a link or placeholder characters", () => {
    const html = renderMarkdown('[x](https://e.com/"onmouseover="alert(1)) a\ue0000\ue000b');
    expect(html).not.toContain('"onmouseover');
    expect(html).not.toContain("\ue000");
  });
});
