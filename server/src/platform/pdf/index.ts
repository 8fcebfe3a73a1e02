import PDFDocument from "pdfkit";

/**
 * Evidence documents as PDF (revocation certificates, review results): a title, key facts,
 * then sections of paragraphs and tables, paginated on A4 with the standard Helvetica fonts
 * (no font files to ship). Tables wrap long cells and repeat their header on a new page.
 */
export interface PdfTable {
  columns: string[];
  rows: string[][];
  /** Relative column widths (default: equal). */
  widths?: number[];
}

export interface PdfSection {
  heading: string;
  paragraphs?: string[];
  table?: PdfTable;
}

export interface PdfReport {
  title: string;
  subtitle?: string;
  /** Label/value pairs printed under the title. */
  meta?: Array<[string, string]>;
  sections: PdfSection[];
  /** Printed at the end (e.g. how to check the document against the audit chain). */
  footer?: string;
}

const MARGIN = 48;
const FONT = "Helvetica";
const BOLD = "Helvetica-Bold";
const CELL_PAD = 4;

export function renderPdf(report: PdfReport): Promise<Buffer> {
  const doc = new PDFDocument({
    size: "A4",
    margin: MARGIN,
    info: { Title: report.title, Producer: "Tandem", Creator: "Tandem" },
    bufferPages: true,
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  const width = doc.page.width - MARGIN * 2;
  doc.font(BOLD).fontSize(18).text(report.title, { width });
  if (report.subtitle) doc.font(FONT).fontSize(11).fillColor("#444").text(report.subtitle, { width });
  doc.fillColor("black").moveDown(0.6);
  for (const [label, value] of report.meta ?? []) {
    doc.font(BOLD).fontSize(9).text(`${label}: `, { continued: true, width });
    doc.font(FONT).text(value, { width });
  }

  for (const section of report.sections) {
    doc.moveDown(0.8);
    ensureSpace(doc, 40);
    doc.font(BOLD).fontSize(12).text(section.heading, MARGIN, doc.y, { width });
    doc.moveDown(0.3);
    for (const p of section.paragraphs ?? []) {
      doc.font(FONT).fontSize(9.5).text(p, MARGIN, doc.y, { width });
      doc.moveDown(0.3);
    }
    if (section.table) drawTable(doc, section.table, width);
  }

  if (report.footer) {
    doc.moveDown(1);
    ensureSpace(doc, 30);
    doc.font(FONT).fontSize(8).fillColor("#444").text(report.footer, MARGIN, doc.y, { width });
    doc.fillColor("black");
  }

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font(FONT)
      .fontSize(7.5)
      .fillColor("#666")
      .text(`${report.title} — page ${i + 1} of ${range.count}`, MARGIN, doc.page.height - MARGIN / 2 - 6, {
        width,
        align: "center",
        lineBreak: false,
      });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}

function ensureSpace(doc: PDFKit.PDFDocument, needed: number) {
  if (doc.y + needed > doc.page.height - MARGIN) doc.addPage();
}

function drawTable(doc: PDFKit.PDFDocument, table: PdfTable, width: number) {
  const weights = table.widths ?? table.columns.map(() => 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const cols = weights.map((w) => (w / total) * width);
  const fontSize = 8.5;

  const rowHeight = (cells: string[], font: string) => {
    doc.font(font).fontSize(fontSize);
    let h = 0;
    cells.forEach((c, i) => {
      h = Math.max(h, doc.heightOfString(c, { width: (cols[i] ?? 0) - CELL_PAD * 2 }));
    });
    return h + CELL_PAD * 2;
  };

  const drawRow = (cells: string[], font: string, shade: boolean) => {
    const h = rowHeight(cells, font);
    if (doc.y + h > doc.page.height - MARGIN) {
      doc.addPage();
      if (font !== BOLD) drawRow(table.columns, BOLD, true);
    }
    const y = doc.y;
    if (shade) doc.rect(MARGIN, y, width, h).fill("#eeeeee").fillColor("black");
    let x = MARGIN;
    doc.font(font).fontSize(fontSize);
    cells.forEach((c, i) => {
      const w = cols[i] ?? 0;
      doc.text(c, x + CELL_PAD, y + CELL_PAD, { width: w - CELL_PAD * 2 });
      x += w;
    });
    doc
      .moveTo(MARGIN, y + h)
      .lineTo(MARGIN + width, y + h)
      .lineWidth(0.3)
      .strokeColor("#999999")
      .stroke();
    doc.x = MARGIN;
    doc.y = y + h;
  };

  drawRow(table.columns, BOLD, true);
  if (table.rows.length === 0) {
    doc
      .font(FONT)
      .fontSize(fontSize)
      .text("(none)", MARGIN + CELL_PAD, doc.y + CELL_PAD, { width });
    return;
  }
  for (const row of table.rows) drawRow(row, FONT, false);
}
