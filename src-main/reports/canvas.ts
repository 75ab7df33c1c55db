// Drawing helpers shared by the report's sections: page geometry, type styles, colours, headings,
// page breaks, and a record of where each section landed (page and y range) so tests can check
// that each section put ink where it says it did.
import type { ReportFont } from './fonts';

export const colors = {
  ink: '#1a202c',
  muted: '#5a6678',
  faint: '#a0aec0',
  rule: '#d5dbe3',
  panel: '#f3f5f8',
  accent: '#1f4e79',
  accentLight: '#dbe7f3',
  good: '#2f855a',
  warn: '#c27c0e',
  bad: '#c53030',
  high: '#c53030',
  medium: '#dd6b20',
  low: '#d69e2e',
  white: '#ffffff',
} as const;

export interface SectionMark {
  name: string;
  startPage: number;
  startY: number;
  endPage: number;
  endY: number;
}

export class ReportCanvas {
  readonly sections: SectionMark[] = [];
  private open: Omit<SectionMark, 'endPage' | 'endY'> | null = null;

  /** Printed at the top of pages that a long block (an answer) flows onto, e.g. "Question 3". */
  continuation: string | null = null;
  private style: [ReportFont, number, string] = ['body', 9.5, colors.ink];

  constructor(readonly doc: PDFKit.PDFDocument) {
    doc.on('pageAdded', () => this.labelContinuation());
  }

  private labelContinuation(): void {
    if (!this.continuation) return;
    // pdfkit is mid-way through flowing text: draw the label, then restore the text's style.
    const [name, size, color] = this.style;
    this.font('italic', 8, colors.muted).doc.text(`${this.continuation} (continued)`, this.left, this.top, {
      width: this.width,
      lineBreak: false,
    });
    this.doc.y = this.top + 16;
    this.font(name, size, color);
  }

  get left(): number {
    return this.doc.page.margins.left;
  }
  get width(): number {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
  }
  get right(): number {
    return this.left + this.width;
  }
  get top(): number {
    return this.doc.page.margins.top;
  }
  get bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }
  /** Zero-based index of the page being drawn. */
  get page(): number {
    return this.doc.bufferedPageRange().count - 1;
  }

  font(name: ReportFont, size: number, color: string = colors.ink): this {
    this.style = [name, size, color];
    this.doc.font(name).fontSize(size).fillColor(color);
    return this;
  }

  /** Starts a new page unless `height` points still fit on this one. */
  ensureSpace(height: number): void {
    if (this.doc.y + height > this.bottom) this.newPage();
  }

  newPage(): void {
    this.doc.addPage();
    this.doc.x = this.left;
    this.doc.y = this.top;
  }

  beginSection(name: string): void {
    this.endSection();
    this.open = { name, startPage: this.page, startY: this.doc.y };
  }

  endSection(): void {
    if (!this.open) return;
    this.sections.push({ ...this.open, endPage: this.page, endY: this.doc.y });
    this.open = null;
  }

  /** A numbered section title with a rule under it; keeps room for some content below. */
  heading(title: string, minFollowing = 80): void {
    this.ensureSpace(34 + minFollowing);
    const y = this.doc.y;
    this.bookmark(title, y);
    this.font('bold', 15, colors.accent).doc.text(title, this.left, y, { width: this.width });
    const ruleY = this.doc.y + 3;
    this.doc
      .moveTo(this.left, ruleY)
      .lineTo(this.right, ruleY)
      .lineWidth(1.2)
      .strokeColor(colors.accent)
      .stroke();
    this.doc.y = ruleY + 10;
  }

  /** A PDF outline entry (the viewer's sidebar) pointing at `y` on the current page. */
  bookmark(title: string, y: number): void {
    // pdfkit's typings omit the destination options; `left` is subtracted from the page width.
    const addItem = this.doc.outline.addItem.bind(this.doc.outline) as (
      title: string,
      options: { top: number; left: number },
    ) => unknown;
    addItem(title, { top: Math.max(0, y - 10), left: this.doc.page.width });
  }

  subheading(title: string, minFollowing = 40): void {
    this.ensureSpace(20 + minFollowing);
    this.font('bold', 11.5, colors.ink).doc.text(title, this.left, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3);
  }

  paragraph(
    text: string,
    options: { font?: ReportFont; size?: number; color?: string; indent?: number } = {},
  ) {
    const indent = options.indent ?? 0;
    this.font(options.font ?? 'body', options.size ?? 9.5, options.color ?? colors.ink);
    this.doc.text(text, this.left + indent, this.doc.y, { width: this.width - indent, lineGap: 2 });
  }

  /** A muted boxed note, used whenever something the report should show is missing. */
  noticeHeight(text: string): number {
    this.font('italic', 9);
    return this.doc.heightOfString(text, { width: this.width - 20 }) + 12;
  }

  notice(text: string, tone: 'info' | 'warn' = 'warn'): void {
    const height = this.noticeHeight(text);
    this.ensureSpace(height + 4);
    const y = this.doc.y;
    this.doc.rect(this.left, y, this.width, height).fill(colors.panel);
    this.doc.rect(this.left, y, 3, height).fill(tone === 'warn' ? colors.warn : colors.faint);
    this.font('italic', 9, tone === 'warn' ? colors.warn : colors.muted);
    this.doc.text(text, this.left + 12, y + 6, { width: this.width - 20 });
    this.doc.y = y + height + 6;
  }

  bullets(items: string[], indent = 8): void {
    for (const item of items) {
      this.font('body', 9.5, colors.ink);
      this.ensureSpace(14);
      const y = this.doc.y;
      this.doc.circle(this.left + indent + 2, y + 5.5, 1.8).fill(colors.accent);
      this.font('body', 9.5, colors.ink).doc.text(item, this.left + indent + 10, y, {
        width: this.width - indent - 10,
        lineGap: 1.5,
      });
      this.doc.moveDown(0.25);
    }
  }

  /** Two-column label/value rows. */
  keyValues(rows: [string, string][], x = this.left, width = this.width, labelWidth = 120): void {
    for (const [label, value] of rows) {
      this.font('body', 9.5);
      const h = Math.max(14, this.doc.heightOfString(value, { width: width - labelWidth }) + 3);
      this.ensureSpace(h);
      const y = this.doc.y;
      this.font('bold', 9, colors.muted).doc.text(label, x, y, { width: labelWidth - 8 });
      this.font('body', 9.5, colors.ink).doc.text(value, x + labelWidth, y, { width: width - labelWidth });
      this.doc.y = y + h;
    }
  }

  /** A rounded pill with a label, e.g. a status; returns its width. */
  pill(text: string, x: number, y: number, fill: string, color: string = colors.white, size = 8.5): number {
    this.font('bold', size, color);
    const w = this.doc.widthOfString(text) + 12;
    this.doc.roundedRect(x, y, w, size + 7, (size + 7) / 2).fill(fill);
    this.font('bold', size, color).doc.text(text, x + 6, y + 3.5, { lineBreak: false });
    return w;
  }

  /** A placeholder where a picture should be, saying why it is not there. */
  imagePlaceholder(x: number, y: number, w: number, h: number, label: string): void {
    this.doc.save();
    this.doc.rect(x, y, w, h).lineWidth(0.8).dash(3, { space: 2 }).strokeColor(colors.faint).stroke();
    this.doc.undash().restore();
    this.font('italic', 7, colors.muted).doc.text(label, x + 3, y + h / 2 - 8, {
      width: w - 6,
      align: 'center',
      height: h - 4,
      ellipsis: true,
    });
  }
}
