// The report's closing sections: whether the session's evidence chain verified (with the final
// hash, so anyone can compare it with the central store), who evaluated the answers with which
// model at what cost, and the earlier versions of this report.
import { colors, type ReportCanvas } from '../canvas';
import { formatDateTime, formatInt, formatUsd, humanize } from '../format';
import type { RenderContext } from '../render-context';

const evidenceStyle = {
  intact: [
    'Intact',
    colors.good,
    'Every recorded event links to the one before it; nothing was altered or removed.',
  ],
  broken: [
    'Broken',
    colors.bad,
    'The chain of recorded events does not verify: evidence may have been altered or lost.',
  ],
  unverified: ['Not verified', colors.warn, 'The chain of recorded events has not been verified yet.'],
} as const;

export function drawEvidence(c: ReportCanvas, ctx: RenderContext): void {
  const doc = c.doc;
  const evidence = ctx.input.evidence;
  c.heading('Evidence integrity', 90);
  c.beginSection('evidence');
  const [label, color, meaning] = evidenceStyle[evidence.verdict];
  const y = doc.y;
  c.pill(label, c.left, y, color);
  doc.y = y + 22;
  c.paragraph(evidence.detail ? `${meaning} ${evidence.detail}` : meaning);
  doc.moveDown(0.5);
  const rows: [string, string][] = [];
  if (evidence.eventCount !== undefined) rows.push(['Events in chain', formatInt(evidence.eventCount)]);
  c.keyValues(rows);
  c.font('bold', 9, colors.muted).doc.text('Final hash (SHA-256)', c.left, doc.y, { width: 120 });
  if (evidence.finalHash) {
    const hy = doc.y + 2;
    doc.rect(c.left, hy, c.width, 20).fill(colors.panel);
    c.font('mono', 8.5, colors.ink).doc.text(evidence.finalHash, c.left + 8, hy + 6, { width: c.width - 16 });
    doc.y = Math.max(doc.y, hy + 20) + 4;
  } else {
    c.notice('No final hash was recorded: the evidence chain cannot be checked against the central store.');
  }
  doc.moveDown(1);
  c.endSection();
}

export function drawEvaluator(c: ReportCanvas, ctx: RenderContext): void {
  const doc = c.doc;
  const evaluator = ctx.input.evaluator;
  c.heading('Evaluation method', 80);
  c.beginSection('evaluator');
  if (!evaluator) {
    c.notice(
      ctx.input.evaluatedBy === 'server'
        ? 'Evaluated by the server: the central server evaluates this exam; this device does not.'
        : 'No evaluator details were recorded: the answers have not been evaluated.',
    );
  } else {
    const total = evaluator.promptTokens + evaluator.completionTokens;
    c.keyValues([
      [
        'Evaluator',
        evaluator.kind === 'local'
          ? `${evaluator.name} (local evaluator: rule-based, no AI service was used)`
          : `${evaluator.name} (OpenAI-compatible service)`,
      ],
      ['Model', evaluator.model],
      [
        'Tokens',
        `${formatInt(total)} in total (${formatInt(evaluator.promptTokens)} prompt, ${formatInt(evaluator.completionTokens)} completion)`,
      ],
      ['Cost', formatUsd(evaluator.costUsd)],
    ]);
  }
  doc.moveDown(1);
  c.endSection();
}

export function drawVersions(c: ReportCanvas, ctx: RenderContext): void {
  const doc = c.doc;
  const { previousVersions, version, reportId, generatedAt } = ctx.input;
  c.heading('Report versions', 40 + 16 * (previousVersions.length + 1));
  c.beginSection('versions');
  const rows = [
    ...previousVersions.map((v) => ({ ...v, current: false })),
    { version, reportId, createdAt: generatedAt, reason: 'this version', current: true },
  ].sort((a, b) => a.version - b.version);
  for (const row of rows) {
    c.ensureSpace(16);
    const y = doc.y;
    c.font(row.current ? 'bold' : 'body', 9, colors.ink).doc.text(`v${row.version}`, c.left, y, {
      width: 30,
      lineBreak: false,
    });
    c.font('mono', 8.5, colors.ink).doc.text(row.reportId, c.left + 34, y, {
      width: 190,
      lineBreak: false,
      ellipsis: true,
    });
    c.font('body', 9, colors.muted).doc.text(formatDateTime(row.createdAt), c.left + 230, y, {
      width: 130,
      lineBreak: false,
    });
    c.font(row.current ? 'bold' : 'body', 9, row.current ? colors.accent : colors.muted).doc.text(
      row.current ? 'This version' : humanize(row.reason),
      c.left + 365,
      y,
      { width: c.width - 365, lineBreak: false, ellipsis: true },
    );
    doc.y = y + 16;
  }
  if (previousVersions.length === 0) {
    c.paragraph('This is the first version of this report.', { font: 'italic', color: colors.muted });
  }
  doc.moveDown(1);
  c.endSection();
}
