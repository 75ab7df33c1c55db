// The ID check step: OCR, MRZ and face match of the card against the live frame. The card image is
// kept as evidence (fsync'd, queued for upload) and the decision with its reasons goes into the
// chain and, as a session.update, to the central session (status, reasons, fields, face match and
// the card's hash: what the proctor's console shows); the live face's embedding becomes the
// reference for face_mismatch during the interview.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { CallResponse } from '../../src-preload/contract';
import type { Logger } from '../log/logger';
import { writeEvidenceFile } from '../proctoring/evidence-file';
import type { IdVerificationResult } from '../proctoring/types';
import { registerBlob } from '../store/blob-uploads';
import { appendEvent } from '../store/event-chain';
import type { LocalStore } from '../store/local-store';
import { enqueue } from '../store/outbox';
import { updateProgress } from './candidate-progress';

export type IdCheck = IdVerificationResult & { liveEmbedding: number[] | null };

export interface IdVerificationDeps {
  store: LocalStore;
  /** OCR, MRZ and face match of the ID card against the live frame (with the live face's embedding). */
  verifyId: (card: Uint8Array, live: Uint8Array) => Promise<IdCheck>;
  snapshotsDir: string;
  logger: Logger;
}

export async function verifyIdStep(
  deps: IdVerificationDeps,
  sessionId: string,
  card: Uint8Array,
  live: Uint8Array,
): Promise<{ response: CallResponse<'candidateVerifyId'>; liveEmbedding: number[] | null }> {
  let result: IdCheck;
  try {
    result = await deps.verifyId(card, live);
  } catch (error) {
    // Never leave a candidate stuck: a check that cannot run becomes "needs review" with the reason.
    deps.logger.warn({ err: error }, 'ID verification failed');
    result = {
      decision: 'needs_review',
      reasons: [`The ID could not be checked automatically: ${(error as Error).message}`],
      fields: {},
      mrz: null,
      ocr: { confidence: 0, text: '' },
      face: { cardFaces: 0, liveFaces: 0, similarity: null },
      thresholds: {},
      liveEmbedding: null,
    };
  }
  const { fields } = result;
  const faceMatch = result.face.similarity;
  // A card is filed as what it is: a photo is a JPEG, an uploaded scan may be a PNG.
  const png = card[0] === 0x89 && card[1] === 0x50 && card[2] === 0x4e && card[3] === 0x47;
  const file = writeEvidenceFile(
    path.join(deps.snapshotsDir, sessionId),
    `id-card-${Date.now()}.${png ? 'png' : 'jpg'}`,
    card,
  );
  deps.store.write('id verification', (tx) => {
    registerBlob(tx, {
      id: randomUUID(),
      sessionId,
      kind: 'id_image',
      path: file.path,
      sha256: file.sha256,
      size: file.bytes,
      contentType: png ? 'image/png' : 'image/jpeg',
      deleteAfterUpload: false,
    });
    appendEvent(tx, {
      sessionId,
      kind: 'id_verification',
      data: {
        decision: result.decision,
        reasons: result.reasons,
        fields,
        faceMatch,
        mrz: result.mrz,
        cardSha256: file.sha256,
      },
      at: new Date().toISOString(),
    });
    // Each check has its own key (a retake of the same card may decide otherwise); the outbox sends
    // them in order, so central keeps the latest check.
    enqueue(tx, {
      kind: 'session.update',
      idempotencyKey: `session.id:${sessionId}:${randomUUID()}`,
      sessionId,
      payload: {
        id: sessionId,
        idVerificationStatus: result.decision,
        idDetails: { reasons: result.reasons, fields, faceMatchScore: faceMatch, mrz: result.mrz },
        idImageSha256: file.sha256,
      },
    });
    updateProgress(tx, sessionId, { idDecision: result.decision, referenceEmbedding: result.liveEmbedding });
  });
  return {
    response: {
      decision: result.decision,
      reasons: result.reasons,
      fields: {
        name: fields.name ?? null,
        documentNumber: fields.documentNumber ?? null,
        dateOfBirth: fields.dateOfBirth ?? null,
        expiry: fields.expiry ?? null,
      },
      faceMatch,
    },
    liveEmbedding: result.liveEmbedding,
  };
}
