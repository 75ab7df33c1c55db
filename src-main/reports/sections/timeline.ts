// The proctoring timeline: one track per warning type across the whole session, each warning
// drawn where and for as long as it happened, coloured by severity and faded when a reviewer
// dismissed it. Shows at a glance whether flags cluster or are spread out.
import { colors, type ReportCanvas } from '../canvas';
import { formatOffset, humanize, offsetSeconds } from '../format';
import type { RenderContext } from '../render-context';

const tickSteps = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

/** Rows per chart; more warning types than this continue in a second chart below or overleaf. */
const MAX_ROWS = 30;
const ROW_H = 18;

export function drawTimeline(c: ReportCanvas, ctx: RenderContext): void {
  const doc = c.doc;
  const { warnings, session } = ctx.input;
  const types = [...new Set(warnings.map((w) => w.type))];
  const firstRows = Math.min(Math.max(1, types.length), MAX_ROWS);
  c.heading('Proctoring timeline', firstRows * ROW_H + 60);
  c.beginSection('timeline');
  if (warnings.length === 0) {
    c.notice('No warnings were raised during this session.', 'info');
  }

  const spans = warnings.map((w) => {
    const start = offsetSeconds(session.startedAt, w.startedAt);
    return { w, start, end: start + w.durationSeconds };
  });
  const length = Math.max(session.durationSeconds, ...spans.map((s) => s.end), 1);
  const chunks: string[][] = [];
  for (let i = 0; i < types.length; i += MAX_ROWS) chunks.push(types.slice(i, i + MAX_ROWS));
  if (chunks.length === 0) chunks.push([]);
  chunks.forEach((chunk, i) => {
    c.ensureSpace(Math.max(1, chunk.length) * ROW_H + 50);
    drawChart(c, chunk, spans, length, warnings);
    if (i === chunks.length - 1) drawLegend(c, length);
    else doc.y += 12;
  });
  doc.x = c.left;
  c.endSection();
}

type Span = { w: RenderContext['input']['warnings'][number]; start: number; end: number };

function drawChart(
  c: ReportCanvas,
  types: string[],
  spans: Span[],
  length: number,
  warnings: Span['w'][],
): void {
  const doc = c.doc;
  const rowH = ROW_H;
  const chartH = Math.max(1, types.length) * rowH;
  const labelW = 120;
  const chartX = c.left + labelW;
  const chartW = c.width - labelW - 6;
  const top = doc.y + 4;
  const xOf = (t: number) => chartX + (chartW * t) / length;

  // Tracks.
  types.forEach((type, i) => {
    const y = top + i * rowH;
    if (i % 2 === 0) doc.rect(chartX, y, chartW, rowH).fill(colors.panel);
    const count = warnings.filter((w) => w.type === type).length;
    c.font('body', 8.5, colors.ink).doc.text(`${humanize(type)} (${count})`, c.left, y + 4.5, {
      width: labelW - 8,
      lineBreak: false,
      ellipsis: true,
    });
  });
  if (types.length === 0) doc.rect(chartX, top, chartW, rowH).fill(colors.panel);

  // Time axis.
  const step = tickSteps.find((s) => length / s <= 8) ?? 7200;
  for (let t = 0; t <= length + 0.001; t += step) {
    const x = xOf(t);
    doc
      .moveTo(x, top)
      .lineTo(x, top + chartH + 3)
      .lineWidth(0.4)
      .strokeColor(colors.rule)
      .stroke();
    c.font('body', 7, colors.muted).doc.text(formatOffset(t), x - 20, top + chartH + 5, {
      width: 40,
      align: 'center',
    });
  }
  doc
    .moveTo(chartX, top + chartH)
    .lineTo(chartX + chartW, top + chartH)
    .lineWidth(0.8)
    .strokeColor(colors.muted)
    .stroke();

  // Warnings.
  for (const { w, start, end } of spans) {
    const row = types.indexOf(w.type);
    if (row < 0) continue;
    const x = xOf(start);
    const width = Math.max(2, xOf(end) - x);
    doc.save();
    doc
      .rect(x, top + row * rowH + 3, width, rowH - 6)
      .fillOpacity(w.verdict === 'dismissed' ? 0.3 : 0.9)
      .fill(colors[w.severity]);
    doc.restore();
  }
  doc.y = top + chartH + 20;
}

function drawLegend(c: ReportCanvas, length: number): void {
  const doc = c.doc;
  const labelW = 120;
  const chartX = c.left + labelW;
  const chartW = c.width - labelW - 6;
  let lx = chartX;
  const ly = doc.y;
  const legend: [string, string, number][] = [
    ['High severity', colors.high, 0.9],
    ['Medium', colors.medium, 0.9],
    ['Low', colors.low, 0.9],
    ['Dismissed by reviewer', colors.medium, 0.3],
  ];
  for (const [text, color, opacity] of legend) {
    doc.save();
    doc.rect(lx, ly, 10, 7).fillOpacity(opacity).fill(color);
    doc.restore();
    c.font('body', 7.5, colors.muted).doc.text(text, lx + 13, ly - 0.5, { lineBreak: false });
    lx += 13 + doc.widthOfString(text) + 14;
  }
  c.font('body', 7.5, colors.muted).doc.text(`Session length ${formatOffset(length)}`, chartX, ly - 0.5, {
    width: chartW,
    align: 'right',
  });
  doc.x = c.left;
  doc.y = ly + 22;
}
