// The table of warnings: when, what, how long, how sure the detector was, what the reviewer
// decided, and a thumbnail of the snapshot taken at the time, so each flag can be judged on the page.
import { colors, type ReportCanvas } from '../canvas';
import { formatDuration, formatOffset, formatPercent, humanize, offsetSeconds } from '../format';
import { imageFor, type RenderContext } from '../render-context';

export const THUMB = { width: 80, height: 60 } as const;

const verdictStyle = {
  confirmed: ['Confirmed', colors.bad],
  dismissed: ['Dismissed', colors.muted],
  pending: ['Not reviewed', colors.warn],
} as const;

interface Column {
  title: string;
  width: number;
}

export function drawWarningsTable(c: ReportCanvas, ctx: RenderContext): void {
  const doc = c.doc;
  const { warnings, session } = ctx.input;
  c.heading('Warnings', 110);
  c.beginSection('warnings-table');
  if (warnings.length === 0) {
    c.notice('No warnings were raised during this session, so there are no snapshots to show.', 'info');
    c.endSection();
    return;
  }
  const fixed: Column[] = [
    { title: '#', width: 28 },
    { title: 'Time', width: 48 },
    { title: 'Type', width: 122 },
    { title: 'Duration', width: 56 },
    { title: 'Confidence', width: 60 },
    { title: 'Verdict', width: 84 },
  ];
  const used = fixed.reduce((s, col) => s + col.width, 0);
  const columns = [...fixed, { title: 'Snapshot', width: c.width - used }];
  const rowH = THUMB.height + 10;

  const header = () => {
    const y = doc.y;
    doc.rect(c.left, y, c.width, 18).fill(colors.accent);
    let x = c.left;
    for (const col of columns) {
      c.font('bold', 8, colors.white).doc.text(col.title, x + 4, y + 5, {
        width: col.width - 8,
        lineBreak: false,
      });
      x += col.width;
    }
    doc.y = y + 18;
  };

  const sorted = [...warnings].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  c.ensureSpace(18 + rowH);
  header();
  sorted.forEach((w, i) => {
    if (doc.y + rowH > c.bottom) {
      c.newPage();
      header();
    }
    const y = doc.y;
    if (i % 2 === 1) doc.rect(c.left, y, c.width, rowH).fill(colors.panel);
    let x = c.left;
    const cell = (col: number) => {
      const left = x;
      x += columns[col]!.width;
      return { x: left + 4, w: columns[col]!.width - 8 };
    };
    const textY = y + 6;
    let k = cell(0);
    c.font('body', 8.5, colors.muted).doc.text(String(i + 1), k.x, textY, { width: k.w, lineBreak: false });
    k = cell(1);
    c.font('mono', 8.5, colors.ink).doc.text(
      formatOffset(offsetSeconds(session.startedAt, w.startedAt)),
      k.x,
      textY,
      {
        width: k.w,
        lineBreak: false,
      },
    );
    k = cell(2);
    c.font('bold', 8.5, colors.ink).doc.text(humanize(w.type), k.x, textY, {
      width: k.w,
      height: 22,
      ellipsis: true,
    });
    c.font('mono', 7, colors.muted).doc.text(w.type, k.x, doc.y + 1, {
      width: k.w,
      lineBreak: false,
      ellipsis: true,
    });
    doc.circle(k.x + 3, doc.y + 6, 2.5).fill(colors[w.severity]);
    c.font('body', 7.5, colors.muted).doc.text(`${w.severity} severity`, k.x + 9, doc.y + 2, {
      width: k.w - 9,
      lineBreak: false,
    });
    k = cell(3);
    c.font('body', 8.5, colors.ink).doc.text(formatDuration(w.durationSeconds), k.x, textY, {
      width: k.w,
      lineBreak: false,
    });
    k = cell(4);
    c.font('body', 8.5, colors.ink).doc.text(formatPercent(w.confidence), k.x, textY, {
      width: k.w,
      lineBreak: false,
    });
    doc.rect(k.x, textY + 14, k.w - 6, 3).fill(colors.rule);
    doc.rect(k.x, textY + 14, (k.w - 6) * w.confidence, 3).fill(colors.accent);
    k = cell(5);
    const [verdict, verdictColor] = verdictStyle[w.verdict];
    c.font('bold', 8.5, verdictColor).doc.text(verdict, k.x, textY, { width: k.w, lineBreak: false });
    if (w.comment) {
      c.font('italic', 7, colors.muted).doc.text(w.comment, k.x, doc.y + 1, {
        width: k.w,
        height: rowH - 24,
        ellipsis: true,
      });
    }
    k = cell(6);
    const image = imageFor(ctx, w.snapshotPath);
    const tx = k.x + (k.w - THUMB.width) / 2;
    const ty = y + 5;
    if (image?.ok) {
      doc.image(image.jpeg, tx, ty, { fit: [THUMB.width, THUMB.height], align: 'center', valign: 'center' });
    } else {
      const why = !w.snapshotPath
        ? 'No snapshot taken'
        : image?.ok === false && image.problem === 'unreadable'
          ? 'Snapshot unreadable'
          : 'Snapshot missing';
      c.imagePlaceholder(tx, ty, THUMB.width, THUMB.height, why);
    }
    doc
      .moveTo(c.left, y + rowH)
      .lineTo(c.right, y + rowH)
      .lineWidth(0.4)
      .strokeColor(colors.rule)
      .stroke();
    doc.x = c.left;
    doc.y = y + rowH;
  });
  doc.moveDown(1.2);
  c.endSection();
}
