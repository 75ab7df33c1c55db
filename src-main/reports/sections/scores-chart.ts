// Scores as bar charts: the overall and three component scores (0–100), then each question's
// score (0–10), so strengths and gaps show at a glance.
import { colors, type ReportCanvas } from '../canvas';
import type { RenderContext } from '../render-context';
import { missingScoresNotice } from '../types';

export function drawScoresChart(c: ReportCanvas, ctx: RenderContext): void {
  const doc = c.doc;
  const scores = ctx.input.scores;
  c.heading('Scores', 170);
  c.beginSection('scores-chart');
  if (!scores) {
    c.notice(missingScoresNotice(ctx.input));
  } else {
    const bars: [string, number][] = [
      ['Overall', scores.overall],
      ['Professionalism', scores.professionalism],
      ['Subject knowledge', scores.subjectKnowledge],
      ['Clarity', scores.clarity],
    ];
    const labelW = 110;
    const chartX = c.left + labelW;
    const chartW = c.width - labelW - 40;
    const rowH = 24;
    const top = doc.y + 4;
    const chartH = rowH * bars.length;
    // Grid.
    for (let v = 0; v <= 100; v += 25) {
      const gx = chartX + (chartW * v) / 100;
      doc
        .moveTo(gx, top - 2)
        .lineTo(gx, top + chartH)
        .lineWidth(0.4)
        .strokeColor(colors.rule)
        .stroke();
      c.font('body', 7, colors.muted).doc.text(String(v), gx - 10, top + chartH + 3, {
        width: 20,
        align: 'center',
      });
    }
    bars.forEach(([label, value], i) => {
      const y = top + i * rowH;
      c.font(i === 0 ? 'bold' : 'body', 9.5, colors.ink).doc.text(label, c.left, y + 5, {
        width: labelW - 10,
        lineBreak: false,
      });
      doc.rect(chartX, y + 3, (chartW * value) / 100, rowH - 8).fill(i === 0 ? colors.accent : '#5b8cc0');
      c.font('bold', 9, colors.ink).doc.text(
        String(Math.round(value)),
        chartX + (chartW * value) / 100 + 5,
        y + 5,
        {
          lineBreak: false,
        },
      );
    });
    doc.x = c.left;
    doc.y = top + chartH + 22;
  }

  const scored = ctx.input.questions.map((q, i) => ({ label: `Q${i + 1}`, score: q.score }));
  if (scored.length > 0) {
    c.subheading('Score per question (0–10)', 130);
    const top = doc.y + 6;
    const chartH = 100;
    const axisX = c.left + 22;
    const chartW = c.width - 22;
    for (let v = 0; v <= 10; v += 2.5) {
      const gy = top + chartH - (chartH * v) / 10;
      doc
        .moveTo(axisX, gy)
        .lineTo(axisX + chartW, gy)
        .lineWidth(0.4)
        .strokeColor(colors.rule)
        .stroke();
      c.font('body', 7, colors.muted).doc.text(String(v), c.left, gy - 3.5, { width: 18, align: 'right' });
    }
    const slot = chartW / scored.length;
    const barW = Math.min(28, slot * 0.65);
    scored.forEach(({ label, score }, i) => {
      const cx = axisX + slot * i + slot / 2;
      if (score === null) {
        c.font('italic', 7, colors.muted).doc.text('n/a', cx - 12, top + chartH - 12, {
          width: 24,
          align: 'center',
        });
      } else {
        const h = (chartH * score) / 10;
        const color = score >= 7 ? colors.good : score >= 4 ? '#5b8cc0' : colors.bad;
        doc.rect(cx - barW / 2, top + chartH - h, barW, Math.max(h, 0.8)).fill(color);
      }
      if (scored.length <= 40 || i % Math.ceil(scored.length / 40) === 0) {
        c.font('body', 7, colors.muted).doc.text(label, cx - 14, top + chartH + 3, {
          width: 28,
          align: 'center',
        });
      }
    });
    doc.x = c.left;
    doc.y = top + chartH + 20;
  }
  c.endSection();
}
