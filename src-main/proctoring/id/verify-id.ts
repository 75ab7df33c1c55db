// ID verification: OCR the card (printed fields + MRZ), find the face on the card and the live
// face, compare their embeddings, and decide Verified / Needs review / Rejected with every reason
// and score. A bad card (unreadable, blurred, faceless, blank) is Needs review, never a crash.
import { VigilError } from '../../errors';
import { decodeImage } from '../decode-image';
import type { FaceAnalyzer } from '../face-analyzer';
import { faceSimilarity } from '../face-similarity';
import { imageQuality } from '../image-quality';
import type { FaceObservation, IdFields, IdVerificationResult, RawFrame } from '../types';
import { extractFields } from './fields';
import { findMrz, type MrzResult } from './mrz';
import type { IdOcr } from './ocr';

export interface IdThresholds {
  /** Similarity at or above which the card face matches the live face. */
  verifySimilarity: number;
  /** Similarity below which the card face is another person (Rejected). */
  rejectSimilarity: number;
  /** Mean OCR confidence (0–100) below which the text is not trusted. */
  minOcrConfidence: number;
  /** Laplacian variance of the card image below which it is too blurred to read. */
  minCardSharpness: number;
  minFaceScore: number;
}

export const defaultIdThresholds: IdThresholds = {
  verifySimilarity: 0.6,
  rejectSimilarity: 0.5,
  minOcrConfidence: 60,
  minCardSharpness: 25,
  minFaceScore: 0.5,
};

const MRZ_BANDS = [0.75, 0.62, 0.5];

export interface VerifyIdInput {
  /** The card photo (JPEG/PNG bytes or a file path). */
  card: Uint8Array | string;
  /** The live camera frame (or its bytes) of the candidate holding still in front of the camera. */
  live: RawFrame | Uint8Array | string;
  analyzer: FaceAnalyzer;
  ocr: IdOcr;
  now?: Date;
  thresholds?: Partial<IdThresholds>;
}

export type IdVerification = IdVerificationResult & {
  /** The live face's embedding: the reference for face_mismatch during the session. */
  liveEmbedding: number[] | null;
};

const isRawFrame = (v: unknown): v is RawFrame =>
  typeof v === 'object' && v !== null && 'width' in v && 'channels' in v && 'data' in v;

const sameText = (a: string, b: string): boolean =>
  a.replace(/[^A-Z0-9]/gi, '').toUpperCase() === b.replace(/[^A-Z0-9]/gi, '').toUpperCase();

export async function verifyId(input: VerifyIdInput): Promise<IdVerification> {
  const t: IdThresholds = { ...defaultIdThresholds, ...input.thresholds };
  const now = input.now ?? new Date();
  const reasons: string[] = [];
  const result: IdVerification = {
    decision: 'needs_review',
    reasons,
    fields: {},
    mrz: null,
    ocr: { confidence: 0, text: '' },
    face: { cardFaces: 0, liveFaces: 0, similarity: null },
    thresholds: { ...t },
    liveEmbedding: null,
  };

  let card: RawFrame;
  try {
    card = await decodeImage(input.card, { maxSide: 1280 });
  } catch (error) {
    // Too many pixels, too slow, too big: the parser's own message says what to do; garbage is plain.
    const problem = error instanceof VigilError ? error.details?.problem : undefined;
    reasons.push(
      problem && problem !== 'corrupt'
        ? (error as VigilError).message
        : 'The ID card image cannot be read; take the photo again.',
    );
    return result;
  }

  const quality = imageQuality(card);
  if (quality.sharpness < t.minCardSharpness) {
    reasons.push(
      `The ID card image is blurred or featureless (sharpness ${quality.sharpness} < ${t.minCardSharpness}).`,
    );
  }

  // Faces: on the card, and live.
  let cardFace: FaceObservation | undefined;
  let liveFace: FaceObservation | undefined;
  try {
    const cardObs = await input.analyzer.analyze(card, {
      gaze: false,
      embedding: true,
      minFaceScore: t.minFaceScore,
    });
    const cardFaces = cardObs.faces.filter((f) => f.score >= t.minFaceScore);
    result.face.cardFaces = cardFaces.length;
    cardFace = cardFaces[0];
    const live = isRawFrame(input.live) ? input.live : await decodeImage(input.live, { maxSide: 1280 });
    const liveObs = await input.analyzer.analyze(live, {
      gaze: false,
      embedding: true,
      minFaceScore: t.minFaceScore,
    });
    const liveFaces = liveObs.faces.filter((f) => f.score >= t.minFaceScore);
    result.face.liveFaces = liveFaces.length;
    liveFace = liveFaces[0];
    result.liveEmbedding = liveFaces.length === 1 ? (liveFace?.embedding ?? null) : null;
  } catch (error) {
    reasons.push(`Face analysis failed: ${(error as Error).message}`);
  }
  if (result.face.cardFaces === 0) reasons.push('No face was found on the ID card.');
  if (result.face.liveFaces === 0) reasons.push('No live face was found in the camera frame.');
  if (result.face.liveFaces > 1)
    reasons.push(`${result.face.liveFaces} faces are in the camera frame; only the candidate may be.`);

  let similarity: number | null = null;
  if (cardFace?.embedding && liveFace?.embedding) {
    similarity = faceSimilarity(cardFace.embedding, liveFace.embedding);
    result.face.similarity = similarity;
  }

  // Text: printed fields and the MRZ band.
  let mrz: MrzResult | null = null;
  try {
    const bytes = await cardBytes(input.card);
    const full = await input.ocr.recognize(bytes);
    result.ocr = { confidence: full.confidence, text: full.text.trim() };
    // MRZ lines sit in the bottom quarter to third of ID cards and passport data pages; a tight
    // band keeps the photo out of the OCR, a wider one catches cards photographed with a margin.
    for (const top of MRZ_BANDS) {
      if (result.ocr.text.length === 0) break;
      const band = await input.ocr.recognizeMrzBand(bytes, top);
      const found = findMrz(band.text, now);
      if (found && (!mrz || (found.valid && !mrz.valid))) mrz = found;
      if (mrz?.valid) break;
    }
    mrz ??= findMrz(full.text, now);
    const printed = extractFields(full.text);
    result.fields = mergeFields(printed, mrz, reasons);
  } catch (error) {
    reasons.push(`The text on the ID card could not be read: ${(error as Error).message}`);
  }
  if (mrz) {
    result.mrz = { present: true, valid: mrz.valid, checks: mrz.checks };
    if (!mrz.valid) {
      const failed = Object.entries(mrz.checks)
        .filter(([, ok]) => !ok)
        .map(([k]) => k);
      reasons.push(`The machine-readable zone fails its check digits (${failed.join(', ')}).`);
    }
  }
  if (result.ocr.text.length === 0) reasons.push('No text was found on the ID card.');
  else if (result.ocr.confidence < t.minOcrConfidence) {
    reasons.push(
      `The text on the ID card is hard to read (OCR confidence ${result.ocr.confidence} < ${t.minOcrConfidence}).`,
    );
  }
  for (const key of ['name', 'documentNumber', 'dateOfBirth'] as const) {
    if (!result.fields[key]) reasons.push(`The ${label(key)} could not be read from the ID card.`);
  }
  if (result.fields.expiry && result.fields.expiry < now.toISOString().slice(0, 10)) {
    reasons.push(`The ID card expired on ${result.fields.expiry}.`);
  }

  // Decision: a clear face mismatch rejects; any other doubt goes to a person.
  if (similarity !== null && similarity < t.rejectSimilarity) {
    reasons.unshift(
      `face_mismatch: the face on the ID card is not the live face (similarity ${similarity} < ${t.rejectSimilarity}).`,
    );
    result.decision = 'rejected';
    return result;
  }
  if (similarity !== null && similarity < t.verifySimilarity) {
    reasons.push(
      `The card face and the live face are not clearly the same person (similarity ${similarity}).`,
    );
  }
  result.decision = reasons.length === 0 ? 'verified' : 'needs_review';
  if (result.decision === 'verified')
    reasons.push(`Face similarity ${similarity} ≥ ${t.verifySimilarity}; fields read.`);
  return result;
}

async function cardBytes(card: Uint8Array | string): Promise<Uint8Array> {
  if (typeof card !== 'string') return card;
  const { readFile } = await import('node:fs/promises');
  return readFile(card);
}

function label(key: 'name' | 'documentNumber' | 'dateOfBirth'): string {
  return { name: 'name', documentNumber: 'document number', dateOfBirth: 'date of birth' }[key];
}

/** MRZ values win when their check digits hold; printed values fill the gaps. Disagreements are reasons. */
function mergeFields(printed: IdFields, mrz: MrzResult | null, reasons: string[]): IdFields {
  if (!mrz) return printed;
  const fromMrz: IdFields = {
    name: [mrz.givenNames, mrz.surname].filter(Boolean).join(' ') || undefined,
    documentNumber: mrz.checks.documentNumber ? mrz.documentNumber : undefined,
    dateOfBirth: mrz.checks.dateOfBirth ? mrz.dateOfBirth : undefined,
    expiry: mrz.checks.expiry ? mrz.expiry : undefined,
    nationality: mrz.nationality || undefined,
  };
  const out: IdFields = { ...printed };
  for (const key of Object.keys(fromMrz) as (keyof IdFields)[]) {
    const m = fromMrz[key];
    const p = printed[key];
    if (m && p && !sameText(m, p) && key !== 'nationality') {
      reasons.push(`The printed ${key} ("${p}") differs from the machine-readable zone ("${m}").`);
    }
    if (m) out[key] = m;
  }
  return out;
}
