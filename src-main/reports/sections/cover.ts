// The cover: who, which exam, when and how long, the four scores, the session's risk score with
// what made it, the reviewer's decision, and what is missing from this report.
import { formatRiskPoints, riskFactorDetail, riskFactorLabel } from '../../../src-preload/risk-explanation';
import { colors, type ReportCanvas } from '../canvas';
import { formatDateTime, formatDuration } from '../format';
import type { RenderContext } from '../render-context';
import { examTypeLabels, missingScoresNotice } from '../types';

const outcomeLabels = {
  accepted: ['Accepted', colors.good],
  rejected: ['Rejected', colors.bad],
  needs_follow_up: ['Needs follow-up', colors.warn],
  invalidated: ['Session invalidated', colors.bad],
} as const;

export function riskLevel(score: number): [string, string] {
  if (score >= 60) return ['High risk', colors.bad];
  if (score >= 30) return ['Moderate risk', colors.warn];
  return ['Low risk', colors.good];
}

export function drawCover(c: ReportCanvas, ctx: RenderContext): void {
  const { input } = ctx;
  const doc = c.doc;
  c.beginSection('cover');
  c.bookmark('Summary', 0);

  // Title band.
  doc.rect(0, 0, doc.page.width, 104).fill(colors.accent);
  c.font('bold', 9, '#c9d8ea').doc.text('V I G I L', c.left, 30, { lineBreak: false });
  c.font('bold', 22, colors.white).doc.text('Evaluation report', c.left, 44, { lineBreak: false });
  c.font('body', 8, '#c9d8ea').doc.text('Report ID', c.left, 30, { width: c.width, align: 'right' });
  c.font('mono', 9, colors.white).doc.text(input.reportId, c.left, 42, { width: c.width, align: 'right' });
  c.font('body', 8, '#c9d8ea').doc.text(
    `Version ${input.version} · generated ${formatDateTime(input.generatedAt)}`,
    c.left,
    58,
    { width: c.width, align: 'right' },
  );

  // Candidate.
  doc.y = 128;
  c.font('bold', 8, colors.muted).doc.text('CANDIDATE', c.left, doc.y, { characterSpacing: 1 });
  c.font('bold', 22, colors.ink).doc.text(input.candidate.name, c.left, doc.y + 2, { width: c.width });
  const who = [input.candidate.email, input.candidate.id && `ID ${input.candidate.id}`].filter(Boolean);
  if (who.length) c.font('body', 9.5, colors.muted).doc.text(who.join('  ·  '), c.left, doc.y + 1);
  doc.y += 12;

  // Exam and session facts in a panel: long values on full-width rows, short ones in pairs.
  const duration = input.session.endedAt
    ? formatDuration(input.session.durationSeconds)
    : `${formatDuration(input.session.durationSeconds)} (session did not end normally)`;
  const rows: [string, string][][] = [
    [['Exam', input.exam.title]],
    [
      ['Type', `${examTypeLabels[input.exam.type]} (${input.exam.type})`],
      ['Difficulty', `${input.exam.difficulty} / 10`],
    ],
    [
      ['Date', formatDateTime(input.session.startedAt)],
      ['Duration', duration],
    ],
    [['Session', input.session.id]],
  ];
  const panelTop = doc.y;
  const colW = (c.width - 24) / 2;
  const valueWidth = (cells: number) => (cells === 1 ? c.width - 24 : colW) - 78;
  c.font('body', 9.5);
  // Measure first, then paint the panel, then the text (pdfkit paints in call order).
  let y = panelTop + 10;
  const placed = rows.map((cells) => {
    const top = y;
    y += Math.max(
      ...cells.map(([, v]) => Math.max(16, doc.heightOfString(v, { width: valueWidth(cells.length) }) + 5)),
    );
    return top;
  });
  const panelBottom = y + 6;
  doc.rect(c.left, panelTop, c.width, panelBottom - panelTop).fill(colors.panel);
  rows.forEach((cells, r) => {
    cells.forEach(([label, value], i) => {
      const x = c.left + 12 + i * colW;
      c.font('bold', 8.5, colors.muted).doc.text(label, x, placed[r]! + 1, { width: 72 });
      c.font('body', 9.5, colors.ink).doc.text(value, x + 74, placed[r], {
        width: valueWidth(cells.length),
      });
    });
  });
  doc.y = panelBottom + 16;

  drawScoreTiles(c, ctx);
  drawRisk(c, ctx);
  drawDecision(c, ctx);

  if (ctx.dataNotes.length > 0) {
    c.subheading(NOTES_TITLE, 30);
    for (const note of ctx.dataNotes) c.notice(note);
  }
  ctx.coverNotesEnd = { page: c.page, y: doc.y, headed: ctx.dataNotes.length > 0 };
  c.endSection();
}

const NOTES_TITLE = 'Missing or incomplete data';

/**
 * Adds problems found after the cover was drawn (snapshot files, known only once their thumbnails
 * are made) under the cover's list; if the cover has no room left, in a section at the end.
 */
export function drawLateDataNotes(c: ReportCanvas, ctx: RenderContext, notes: string[]): void {
  if (notes.length === 0) return;
  const doc = c.doc;
  const end = ctx.coverNotesEnd;
  const needed = (end?.headed ? 0 : 60) + notes.reduce((sum, n) => sum + c.noticeHeight(n) + 6, 0);
  if (end && end.page === 0 && end.y + needed <= c.bottom) {
    doc.switchToPage(0);
    doc.x = c.left;
    doc.y = end.y;
    if (!end.headed) c.subheading(NOTES_TITLE, 30);
    for (const note of notes) c.notice(note);
  } else {
    c.heading(NOTES_TITLE, 40);
    c.beginSection('data-notes');
    for (const note of notes) c.notice(note);
    c.endSection();
  }
  ctx.dataNotes.push(...notes);
}

function drawScoreTiles(c: ReportCanvas, ctx: RenderContext): void {
  const doc = c.doc;
  const scores = ctx.input.scores;
  c.subheading('Scores', 70);
  if (!scores) {
    c.notice(missingScoresNotice(ctx.input));
    doc.moveDown(0.5);
    return;
  }
  const tiles: [string, number][] = [
    ['Overall', scores.overall],
    ['Professionalism', scores.professionalism],
    ['Subject knowledge', scores.subjectKnowledge],
    ['Clarity', scores.clarity],
  ];
  const gap = 10;
  const w = (c.width - gap * 3) / 4;
  const h = 64;
  const y = doc.y;
  tiles.forEach(([label, value], i) => {
    const x = c.left + i * (w + gap);
    const main = i === 0;
    doc.roundedRect(x, y, w, h, 4).fill(main ? colors.accent : colors.panel);
    c.font('bold', 7.5, main ? '#c9d8ea' : colors.muted).doc.text(label.toUpperCase(), x + 10, y + 9, {
      width: w - 16,
      height: 10,
      ellipsis: true,
    });
    const big = String(Math.round(value));
    c.font('bold', 22, main ? colors.white : colors.ink).doc.text(big, x + 10, y + 22, { lineBreak: false });
    const bigW = doc.widthOfString(big);
    c.font('body', 9, main ? '#c9d8ea' : colors.muted).doc.text('/ 100', x + 14 + bigW, y + 33, {
      lineBreak: false,
    });
    const barY = y + h - 10;
    doc.rect(x + 10, barY, w - 20, 3).fill(main ? '#3b6c98' : colors.rule);
    doc.rect(x + 10, barY, ((w - 20) * value) / 100, 3).fill(main ? colors.white : colors.accent);
  });
  doc.x = c.left;
  doc.y = y + h + 18;
}

function drawRisk(c: ReportCanvas, ctx: RenderContext): void {
  const doc = c.doc;
  const risk = ctx.input.risk;
  const sorted = [...(risk?.factors ?? [])]
    .sort((a, b) => b.points - a.points)
    .map((f) => ({ factor: riskFactorLabel(f.type), points: f.points, detail: riskFactorDetail(f) }));
  // The cover shows the main factors; the rest are summed on one line so the cover stays one page
  // (the "Risk factors" section lists every one).
  const rows = sorted.length > MAX_FACTORS ? sorted.slice(0, MAX_FACTORS - 1) : sorted;
  const rest = sorted.slice(rows.length);
  if (rest.length > 0) {
    rows.push({
      factor: `${rest.length} more factors`,
      points: rest.reduce((sum, r) => sum + r.points, 0),
      detail:
        rest.length > 6
          ? `${rest
              .slice(0, 6)
              .map((r) => r.factor)
              .join(', ')}, …`
          : rest.map((r) => r.factor).join(', '),
    });
  }
  c.subheading('Session risk', 60);
  const [level, color] = risk ? riskLevel(risk.score) : ['Not scored', colors.muted];
  const top = doc.y;
  const topPage = c.page;
  const boxW = 120;
  doc.roundedRect(c.left, top, boxW, 62, 4).fill(colors.panel);
  doc.rect(c.left, top, 4, 62).fill(color);
  const riskText = risk ? String(Math.round(risk.score)) : '—';
  c.font('bold', 24, color).doc.text(riskText, c.left + 14, top + 8, { lineBreak: false });
  const riskW = doc.widthOfString(riskText);
  c.font('body', 9, colors.muted).doc.text('/ 100', c.left + 18 + riskW, top + 21, { lineBreak: false });
  c.font('bold', 9, color).doc.text(level, c.left + 14, top + 42, { lineBreak: false });

  const x = c.left + boxW + 16;
  const w = c.right - x;
  doc.y = top;
  if (!risk || rows.length === 0) {
    // A score above 0 always has factors (the input is checked), so this is 0 or not scored.
    const why = risk
      ? 'No factor contributed to the risk score: no warning this exam weighs was raised.'
      : 'This session was not scored: it did not finish on the device.';
    c.font('italic', 9, colors.muted).doc.text(why, x, top + 4, { width: w });
  } else {
    c.font('bold', 8, colors.muted).doc.text('WHAT CONTRIBUTED', x, top, { width: w, characterSpacing: 0.5 });
    let y = doc.y + 3;
    const total = sorted.reduce((sum, r) => sum + Math.max(0, r.points), 0) || 1;
    for (const row of rows) {
      const label = row.detail ? `${row.factor} — ${row.detail}` : row.factor;
      c.font('body', 9, colors.ink);
      const h = Math.max(13, doc.heightOfString(label, { width: w - 100 }) + 2);
      if (y + h > c.bottom) {
        c.newPage();
        y = doc.y;
      }
      doc.text(label, x, y, { width: w - 100 });
      doc.rect(x + w - 92, y + 3, 52, 5).fill(colors.rule);
      doc.rect(x + w - 92, y + 3, (52 * Math.max(0, row.points)) / total, 5).fill(color);
      c.font('bold', 9, colors.ink).doc.text(formatRiskPoints(row.points), x + w - 36, y, {
        width: 36,
        align: 'right',
      });
      y += h;
    }
    doc.y = y;
  }
  doc.x = c.left;
  doc.y = (c.page === topPage ? Math.max(doc.y, top + 62) : doc.y) + 16;
}

const MAX_FACTORS = 8;

function drawDecision(c: ReportCanvas, ctx: RenderContext): void {
  const doc = c.doc;
  const decision = ctx.input.decision;
  c.subheading('Reviewer decision', 30);
  if (!decision) {
    c.paragraph('No reviewer decision has been recorded yet.', { font: 'italic', color: colors.muted });
    doc.moveDown(0.8);
    return;
  }
  const [label, color] = outcomeLabels[decision.outcome];
  const y = doc.y;
  const w = c.pill(label, c.left, y, color);
  c.font('body', 9.5, colors.ink).doc.text(
    `by ${decision.reviewer} on ${formatDateTime(decision.decidedAt)}`,
    c.left + w + 8,
    y + 2.5,
    { width: c.width - w - 8 },
  );
  doc.y = Math.max(doc.y, y + 18) + 4;
  if (decision.comment) c.paragraph(`“${decision.comment}”`, { font: 'italic', color: colors.muted });
  doc.moveDown(0.8);
}
