// ID verification: the captured card, what OCR read from it, how well its photo matched the live
// face, and the decision with its reasons, so a reader can judge the check themselves.
import { colors, type ReportCanvas } from '../canvas';
import { formatPercent } from '../format';
import { imageFor, type RenderContext } from '../render-context';

const statusLabels = {
  verified: ['Verified', colors.good],
  needs_review: ['Needs review', colors.warn],
  rejected: ['Rejected', colors.bad],
  not_performed: ['Not performed', colors.faint],
} as const;

export const ID_CARD_BOX = { width: 210, height: 140 } as const;

export function drawIdVerification(c: ReportCanvas, ctx: RenderContext): void {
  const doc = c.doc;
  const id = ctx.input.idVerification;
  c.heading('ID verification', 150);
  c.beginSection('id-verification');
  if (!id) {
    c.notice('No ID verification was recorded for this session.');
    c.endSection();
    return;
  }
  const [label, color] = statusLabels[id.status];
  const top = doc.y;
  const statusW = c.pill(label, c.left, top, color);
  if (id.faceMatchScore !== null) {
    c.font('body', 9.5, colors.ink).doc.text(
      `Face match ${formatPercent(id.faceMatchScore)}`,
      c.left + statusW + 10,
      top + 2.5,
      { lineBreak: false },
    );
  }
  doc.y = top + 26;

  // Card image on the left, extracted fields on the right.
  const imgTop = doc.y;
  const box = ID_CARD_BOX;
  const image = imageFor(ctx, id.cardImagePath);
  if (image?.ok) {
    doc.image(image.jpeg, c.left, imgTop, { fit: [box.width, box.height] });
    const scale = Math.min(box.width / image.width, box.height / image.height);
    doc
      .rect(c.left, imgTop, image.width * scale, image.height * scale)
      .lineWidth(0.5)
      .strokeColor(colors.rule)
      .stroke();
  } else {
    const why = !id.cardImagePath
      ? 'ID card image missing: none was captured'
      : `ID card image ${image?.ok === false && image.problem === 'unreadable' ? 'unreadable' : 'missing'}`;
    c.imagePlaceholder(c.left, imgTop, box.width, box.height, why);
  }

  const x = c.left + box.width + 18;
  const w = c.right - x;
  doc.y = imgTop;
  c.font('bold', 8, colors.muted).doc.text('EXTRACTED FROM THE CARD', x, imgTop, {
    width: w,
    characterSpacing: 0.5,
  });
  doc.y += 3;
  if (id.extractedFields.length === 0) {
    c.font('italic', 9, colors.muted).doc.text('No fields could be read from the card.', x, doc.y, {
      width: w,
    });
  } else {
    c.keyValues(
      id.extractedFields.map((f) => [f.label, f.value || '—']),
      x,
      w,
      95,
    );
  }
  doc.y += 8;
  if (id.faceMatchScore !== null) {
    c.font('bold', 8, colors.muted).doc.text('FACE MATCH (ID PHOTO ↔ LIVE FACE)', x, doc.y, {
      width: w,
      characterSpacing: 0.5,
    });
    const barY = doc.y + 4;
    const barW = w - 50;
    doc.rect(x, barY, barW, 8).fill(colors.rule);
    doc.rect(x, barY, barW * id.faceMatchScore, 8).fill(color);
    c.font('bold', 9, colors.ink).doc.text(formatPercent(id.faceMatchScore), x + barW + 6, barY - 1, {
      lineBreak: false,
    });
    doc.y = barY + 16;
  } else {
    c.font('italic', 9, colors.muted).doc.text('No face comparison was made.', x, doc.y, { width: w });
  }
  doc.x = c.left;
  doc.y = Math.max(doc.y, imgTop + box.height) + 12;

  c.subheading('Reasons', 20);
  if (id.reasons.length === 0)
    c.paragraph('No reasons were recorded.', { font: 'italic', color: colors.muted });
  else c.bullets(id.reasons);
  doc.moveDown(1);
  c.endSection();
}
