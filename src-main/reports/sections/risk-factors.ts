// Every factor of the session's risk score, one line each: when, which warning, its weight,
// duration and confidence, and the points it adds (they sum to the score). The cover shows the
// main ones; this list is the whole explanation, with the formula that turns warnings into points.
import { formatRiskPoints, riskFactorDetail, riskFactorLabel } from '../../../src-preload/risk-explanation';
import { colors, type ReportCanvas } from '../canvas';
import { formatOffset, offsetSeconds } from '../format';
import type { RenderContext } from '../render-context';

export function drawRiskFactors(c: ReportCanvas, ctx: RenderContext): void {
  const doc = c.doc;
  const { risk, session } = ctx.input;
  if (!risk || risk.factors.length === 0) return;
  c.heading('Risk factors', 60);
  c.beginSection('risk-factors');
  const chain =
    risk.chainFactor === 1 ? '' : ` The evidence chain's verdict multiplies the sum by ${risk.chainFactor}.`;
  c.font('body', 8.5, colors.muted).doc.text(
    `Risk score ${Math.round(risk.score)} / 100, the sum of the points below.${chain} ${risk.formula}.`,
    c.left,
    doc.y,
    { width: c.width },
  );
  doc.moveDown(0.6);
  const factors = [...risk.factors].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  factors.forEach((f, i) => {
    const label = `${i + 1}. ${formatOffset(offsetSeconds(session.startedAt, f.startedAt))}  ${riskFactorLabel(f.type)} — ${riskFactorDetail(f)}`;
    c.font('body', 9, colors.ink);
    const h = Math.max(13, doc.heightOfString(label, { width: c.width - 60 }) + 2);
    c.ensureSpace(h);
    const y = doc.y;
    doc.text(label, c.left, y, { width: c.width - 60 });
    c.font('bold', 9, colors.ink).doc.text(formatRiskPoints(f.points), c.right - 50, y, {
      width: 50,
      align: 'right',
    });
    doc.x = c.left;
    doc.y = y + h;
  });
  doc.moveDown(1.2);
  c.endSection();
}
