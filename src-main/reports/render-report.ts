// Renders a ReportInput to PDF bytes. pdfkit draws the sections in the order the report is read
// while sharp shrinks the snapshots in its own threads; a last pass writes the running header and
// the "page X of Y" footer with the report id on every page.
import type { Font } from 'fontkit';
import PDFDocument from 'pdfkit';
import { VigilError } from '../errors';
import { ReportCanvas, colors, type SectionMark } from './canvas';
import { loadReportFonts, type ReportFont } from './fonts';
import { loadImages, resolveAssetPath, type ImageRequest, type LoadedImage } from './images';
import { parseReportInput } from './parse-report-input';
import type { RenderContext } from './render-context';
import { drawCover, drawLateDataNotes } from './sections/cover';
import { drawEvaluator, drawEvidence, drawVersions } from './sections/closing';
import { ID_CARD_BOX, drawIdVerification } from './sections/id-verification';
import { drawQuestions } from './sections/questions';
import { drawRiskFactors } from './sections/risk-factors';
import { drawScoresChart } from './sections/scores-chart';
import { drawTimeline } from './sections/timeline';
import { THUMB, drawWarningsTable } from './sections/warnings-table';
import { missingScoresNotice, type ReportInput, type ReportPageSize } from './types';

export interface RenderReportOptions {
  pageSize?: ReportPageSize;
  /** Folder that relative image paths in the input resolve against. */
  assetsDir?: string;
  fontDir?: string;
}

export interface RenderedReport {
  pdf: Buffer;
  pageCount: number;
  pageSize: { width: number; height: number };
  /** Where each section was drawn (zero-based pages, y in PDF points from the top). */
  sections: SectionMark[];
  /** What the report says is missing, as shown on its cover. */
  dataNotes: string[];
}

const MARGINS = { top: 62, bottom: 62, left: 50, right: 50 };
/** Pictures are rasterised at twice their printed size so they stay sharp on screen and paper. */
const PIXELS_PER_POINT = 2;

export async function renderReport(raw: unknown, options: RenderReportOptions = {}): Promise<RenderedReport> {
  const input = parseReportInput(raw);
  input.warnings.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  const resolve = (file: string) => resolveAssetPath(file, options.assetsDir);
  const fonts = openFonts(options.fontDir);
  // Thumbnails are made in sharp's thread pool while the text sections are drawn; the table
  // that shows them waits for them. The ID card is needed first and is a single picture.
  const snapshots = loadImages(snapshotRequests(input, resolve));
  const images = await loadImages(cardRequest(input, resolve));

  const doc = new PDFDocument({
    size: options.pageSize ?? 'A4',
    margins: MARGINS,
    bufferPages: true,
    autoFirstPage: true,
    compress: true,
    pdfVersion: '1.7',
    lang: 'en',
    displayTitle: true,
    info: {
      Title: `Evaluation report — ${input.candidate.name} — ${input.exam.title}`,
      Author: 'Vigil',
      Subject: `Session ${input.session.id}, report ${input.reportId}`,
      Creator: 'Vigil',
      CreationDate: new Date(input.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolveEnd, reject) => {
    doc.on('end', resolveEnd);
    doc.on('error', reject);
  });
  // pdfkit accepts an already parsed fontkit font in place of the file's bytes.
  for (const [name, font] of Object.entries(fonts)) doc.registerFont(name, font as unknown as Buffer);
  doc.font('body');

  const ctx: RenderContext = { input, images, resolve, dataNotes: collectInputNotes(input, images, resolve) };
  const missingGlyphs = uncoveredCharacters(fonts.body, input);
  if (missingGlyphs.length > 0) {
    ctx.dataNotes.push(
      `Some characters are outside the embedded font's coverage and print as empty boxes: ${missingGlyphs.join(' ')}`,
    );
  }

  const canvas = new ReportCanvas(doc);
  drawCover(canvas, ctx);
  canvas.newPage();
  drawIdVerification(canvas, ctx);
  drawScoresChart(canvas, ctx);
  drawQuestions(canvas, ctx);
  drawTimeline(canvas, ctx);
  for (const [file, image] of await snapshots) images.set(file, image);
  drawWarningsTable(canvas, ctx);
  drawRiskFactors(canvas, ctx);
  drawEvidence(canvas, ctx);
  drawEvaluator(canvas, ctx);
  drawVersions(canvas, ctx);
  canvas.endSection();
  drawLateDataNotes(canvas, ctx, collectSnapshotNotes(input, images, resolve));

  const pageCount = doc.bufferedPageRange().count;
  drawRunningHeadersAndFooters(doc, input, pageCount);
  const pageSize = { width: doc.page.width, height: doc.page.height };
  doc.end();
  await finished;
  return {
    pdf: Buffer.concat(chunks),
    pageCount,
    pageSize,
    sections: canvas.sections,
    dataNotes: ctx.dataNotes,
  };
}

function openFonts(fontDir: string | undefined): Record<ReportFont, Font> {
  try {
    return loadReportFonts(fontDir);
  } catch (error) {
    throw new VigilError(
      'UNAVAILABLE',
      'The report fonts are missing or damaged in this installation; reinstall Vigil.',
      { file: (error as NodeJS.ErrnoException).path },
      { cause: error },
    );
  }
}

function cardRequest(input: ReportInput, resolve: (f: string) => string): ImageRequest[] {
  const card = input.idVerification?.cardImagePath;
  if (!card) return [];
  return [
    {
      path: resolve(card),
      maxWidth: ID_CARD_BOX.width * PIXELS_PER_POINT,
      maxHeight: ID_CARD_BOX.height * PIXELS_PER_POINT,
    },
  ];
}

function snapshotRequests(input: ReportInput, resolve: (f: string) => string): ImageRequest[] {
  return input.warnings.flatMap((w) =>
    w.snapshotPath
      ? [
          {
            path: resolve(w.snapshotPath),
            maxWidth: THUMB.width * PIXELS_PER_POINT,
            maxHeight: THUMB.height * PIXELS_PER_POINT,
          },
        ]
      : [],
  );
}

/** What the input itself lacks, in words a reader can act on; shown on the cover. */
export function collectInputNotes(
  input: ReportInput,
  images: Map<string, LoadedImage>,
  resolve: (f: string) => string,
): string[] {
  const notes: string[] = [];
  if (!input.session.endedAt)
    notes.push('The session did not end normally: its end time was never recorded.');
  if (input.evaluatedBy === 'server') notes.push(missingScoresNotice(input));
  else if (!input.scores)
    notes.push('Evaluation scores are missing: the evaluation has not run or did not complete.');
  if (input.questions.length === 0) notes.push('No questions or answers were recorded for this session.');
  const unanswered = input.questions.flatMap((q, i) => (q.answer?.trim() ? [] : [i + 1]));
  if (unanswered.length > 0 && input.questions.length > 0) {
    notes.push(
      `${unanswered.length} of ${input.questions.length} questions have no answer (${list(unanswered.map((n) => `Q${n}`))}).`,
    );
  }
  if (!input.idVerification) notes.push('No ID verification was recorded.');
  else if (input.idVerification.cardImagePath) {
    const card = images.get(resolve(input.idVerification.cardImagePath));
    if (card && !card.ok) notes.push(`ID card image ${input.idVerification.cardImagePath}: ${card.message}.`);
  } else if (input.idVerification.status !== 'not_performed') notes.push('No ID card image was captured.');
  const noSnapshot = input.warnings.filter((w) => !w.snapshotPath).length;
  if (noSnapshot > 0) notes.push(`${noSnapshot} warning${noSnapshot === 1 ? ' has' : 's have'} no snapshot.`);
  if (!input.evidence.finalHash) notes.push('The evidence chain has no final hash.');
  if (!input.evaluator && input.evaluatedBy !== 'server')
    notes.push('Evaluator details (model, tokens, cost) are missing.');
  return notes;
}

/** Snapshot files that are missing or cannot be decoded (known once thumbnails are made). */
export function collectSnapshotNotes(
  input: ReportInput,
  images: Map<string, LoadedImage>,
  resolve: (f: string) => string,
): string[] {
  const notes: string[] = [];
  for (const problem of ['missing', 'unreadable'] as const) {
    const hits = input.warnings.flatMap((w, i) => {
      if (!w.snapshotPath) return [];
      const image = images.get(resolve(w.snapshotPath));
      return image && !image.ok && image.problem === problem
        ? [{ n: i + 1, file: w.snapshotPath, why: image.message }]
        : [];
    });
    if (hits.length > 0) {
      const what = problem === 'missing' ? 'missing' : 'unreadable (corrupt or not an image)';
      notes.push(
        `${hits.length} snapshot ${hits.length === 1 ? 'file is' : 'files are'} ${what}: ` +
          list(hits.map((h) => `warning #${h.n} ${h.file} (${h.why})`)) +
          '.',
      );
    }
  }
  return notes;
}

function list(items: string[], max = 6): string {
  return items.length <= max
    ? items.join(', ')
    : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** Characters in the candidate-supplied text that the body font has no glyph for. */
function uncoveredCharacters(font: Font, input: ReportInput): string[] {
  const texts = [
    input.candidate.name,
    input.exam.title,
    ...input.questions.flatMap((q) => [q.question, q.answer ?? '', q.feedback ?? '']),
    ...(input.idVerification?.extractedFields.map((f) => f.value) ?? []),
  ];
  const missing = new Set<string>();
  for (const text of texts) {
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (cp < 0x20 || cp === 0x2028 || cp === 0x2029 || /\s/u.test(ch)) continue;
      if (!font.hasGlyphForCodePoint(cp)) missing.add(ch);
      if (missing.size >= 12) return [...missing];
    }
  }
  return [...missing];
}

function drawRunningHeadersAndFooters(doc: PDFKit.PDFDocument, input: ReportInput, pageCount: number): void {
  for (let i = 0; i < pageCount; i++) {
    doc.switchToPage(i);
    const { width, height } = doc.page;
    const left = MARGINS.left;
    const right = width - MARGINS.right;
    const contentW = right - left;
    // Writing outside the margins would make pdfkit start a new page.
    const saved = { ...doc.page.margins };
    doc.page.margins = { top: 0, bottom: 0, left: saved.left, right: saved.right };
    if (i > 0) {
      doc.font('body').fontSize(7.5).fillColor(colors.muted);
      doc.text(`${input.candidate.name} — ${input.exam.title}`, left, 34, {
        width: contentW * 0.72,
        height: 9,
        ellipsis: true,
      });
      doc.text('Vigil evaluation report', left, 34, { width: contentW, align: 'right', lineBreak: false });
      doc.moveTo(left, 46).lineTo(right, 46).lineWidth(0.5).strokeColor(colors.rule).stroke();
    }
    const fy = height - 40;
    doc
      .moveTo(left, fy - 6)
      .lineTo(right, fy - 6)
      .lineWidth(0.5)
      .strokeColor(colors.rule)
      .stroke();
    doc.font('mono').fontSize(7.5).fillColor(colors.muted);
    doc.text(`Report ${input.reportId} · v${input.version}`, left, fy, {
      width: contentW * 0.7,
      lineBreak: false,
    });
    doc.font('body').fontSize(7.5).fillColor(colors.muted);
    doc.text(`Page ${i + 1} of ${pageCount}`, left, fy, {
      width: contentW,
      align: 'right',
      lineBreak: false,
    });
    doc.page.margins = saved;
  }
}
