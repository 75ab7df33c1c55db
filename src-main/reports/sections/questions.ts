// Every question with the candidate's answer, its score and the evaluator's feedback, then the
// traits and suggestions. Answers can run to thousands of words: pdfkit wraps them and continues
// them on new pages.
import { colors, type ReportCanvas } from '../canvas';
import type { RenderContext } from '../render-context';

export function drawQuestions(c: ReportCanvas, ctx: RenderContext): void {
  const doc = c.doc;
  const questions = ctx.input.questions;
  c.heading('Questions and answers', 100);
  c.beginSection('questions');
  if (questions.length === 0) {
    c.notice('No questions were recorded for this session, so there are no answers to show.');
  }
  questions.forEach((q, i) => {
    c.ensureSpace(90);
    const top = doc.y;
    c.font('bold', 8, colors.muted).doc.text(`QUESTION ${i + 1} OF ${questions.length}`, c.left, top, {
      characterSpacing: 0.5,
      lineBreak: false,
    });
    const scoreText = q.score === null ? 'Not scored' : `${formatScore(q.score)} / 10`;
    const scoreColor =
      q.score === null
        ? colors.faint
        : q.score >= 7
          ? colors.good
          : q.score >= 4
            ? colors.accent
            : colors.bad;
    c.font('bold', 8.5);
    const pillW = doc.widthOfString(scoreText) + 12;
    c.pill(scoreText, c.right - pillW, top - 3, scoreColor);
    doc.y = top + 14;
    c.font('bold', 10.5, colors.ink).doc.text(q.question, c.left, doc.y, {
      width: c.width - pillW - 10,
      lineGap: 1.5,
    });
    doc.moveDown(0.5);
    c.continuation = `Question ${i + 1} of ${questions.length}`;

    label(c, 'Answer');
    const answer = q.answer?.trim();
    if (answer) c.paragraph(answer, { indent: 8 });
    else c.paragraph('No answer was given.', { font: 'italic', color: colors.warn, indent: 8 });
    doc.moveDown(0.5);

    label(c, 'Feedback');
    const feedback = q.feedback?.trim();
    if (feedback) c.paragraph(feedback, { font: 'italic', color: '#2d3748', indent: 8 });
    else c.paragraph('No feedback was recorded.', { font: 'italic', color: colors.muted, indent: 8 });

    doc.moveDown(0.6);
    c.continuation = null;
    if (i < questions.length - 1) {
      c.ensureSpace(8);
      doc.moveTo(c.left, doc.y).lineTo(c.right, doc.y).lineWidth(0.5).strokeColor(colors.rule).stroke();
      doc.y += 10;
    }
  });
  doc.moveDown(0.8);
  c.endSection();

  c.heading('Traits and suggestions', 60);
  c.beginSection('traits');
  c.subheading('Traits observed', 20);
  if (ctx.input.traits.length === 0)
    c.paragraph('No traits were recorded.', { font: 'italic', color: colors.muted });
  else c.bullets(ctx.input.traits);
  doc.moveDown(0.6);
  c.subheading('Suggestions', 20);
  if (ctx.input.suggestions.length === 0)
    c.paragraph('No suggestions were recorded.', { font: 'italic', color: colors.muted });
  else c.bullets(ctx.input.suggestions);
  doc.moveDown(1);
  c.endSection();
}

function label(c: ReportCanvas, text: string): void {
  c.ensureSpace(28);
  c.font('bold', 8, colors.accent).doc.text(text.toUpperCase(), c.left, c.doc.y, { characterSpacing: 0.5 });
  c.doc.moveDown(0.2);
}

function formatScore(score: number): string {
  return Number.isInteger(score) ? String(score) : score.toFixed(1);
}
