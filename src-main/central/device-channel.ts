// What a device may do on the central server: call the SECURITY DEFINER ingest functions with its
// token, nothing else. The uploader, the blob uploader and enrollment go through this interface, so
// tests and benchmarks can run it against a real server or PGlite alike.
import { z } from 'zod';
import type { SqlQuery } from './connect';
import { VigilError } from '../errors';
import { centralError } from './errors';

export interface IngestItem {
  key: string;
  kind: string;
  payload: unknown;
}

export const ReceiptSchema = z.object({
  key: z.string().nullable(),
  status: z.enum(['applied', 'duplicate', 'rejected']),
  reason: z.string().nullable().optional(),
  original: z.string().nullable().optional(),
});
export type Receipt = z.infer<typeof ReceiptSchema>;

export const RedemptionSchema = z.object({
  deviceId: z.string(),
  token: z.string().min(32),
  candidateId: z.string(),
  examId: z.string(),
  expiresAt: z.string(),
});
export type Redemption = z.infer<typeof RedemptionSchema>;

/**
 * redeem_enrollment's refusal (migration 0500): the same for an unknown, used, expired or locked
 * code, so a caller without a token learns nothing about codes; `throttled` when this network
 * address has failed too often lately.
 */
const RefusalSchema = z.object({
  refused: z.literal(true),
  reason: z.enum(['refused', 'throttled']),
  retryAfterSeconds: z.number().optional(),
});

function refusalError(refusal: z.infer<typeof RefusalSchema>): VigilError {
  if (refusal.reason === 'throttled') {
    const minutes = Math.max(1, Math.ceil((refusal.retryAfterSeconds ?? 900) / 60));
    return new VigilError(
      'FORBIDDEN',
      `Too many enrollment codes were refused from this network. Wait ${minutes} minute(s), then type the code again carefully.`,
      { reason: 'throttled', retryAfterSeconds: refusal.retryAfterSeconds ?? null },
    );
  }
  return new VigilError(
    'FORBIDDEN',
    'This enrollment code was not accepted. Check it for typos; a code works once and only until it ' +
      'expires. If it still fails, ask your institution for a new code.',
    { reason: 'refused' },
  );
}

/** Whose device this is: the candidate's name for reports made on the device. */
export const DeviceProfileSchema = z.object({
  candidateId: z.string(),
  displayName: z.string().nullable(),
});
export type DeviceProfile = z.infer<typeof DeviceProfileSchema>;

export const BlobReceiptSchema = z.object({
  id: z.string(),
  sha256: z.string(),
  size: z.number(),
  completedAt: z.string(),
});
export type BlobReceipt = z.infer<typeof BlobReceiptSchema>;

export interface BlobMeta {
  id: string;
  sessionId: string;
  kind: string;
  sha256: string;
  size: number;
  contentType: string;
}

export interface DeviceChannel {
  redeem(code: string, label: string): Promise<Redemption>;
  /** The exam with its content sealed (store/exam-cache.ts reads it). */
  fetchExam(token: string): Promise<unknown>;
  /** The exam's content key, only while its window is open by the server's clock (FORBIDDEN otherwise). */
  releaseExamKey(token: string, examId: string): Promise<{ key: Buffer; serverTime: string }>;
  profile(token: string): Promise<DeviceProfile>;
  ingest(token: string, items: IngestItem[]): Promise<Receipt[]>;
  /** Reports the heads of open sessions' chains; the server stores each with its receive time. */
  anchor(
    token: string,
    heads: { sessionId: string; seq: number; hash: string }[],
  ): Promise<{ anchored: number }>;
  blobBegin(token: string, meta: BlobMeta): Promise<{ offset: number; status: 'uploading' | 'complete' }>;
  blobChunk(
    token: string,
    blobId: string,
    offset: number,
    data: Buffer,
    sha256: string,
  ): Promise<{ offset: number }>;
  blobFinish(token: string, blobId: string): Promise<BlobReceipt>;
}

/** Enrollment codes are typed by people: case, spaces and dashes do not matter. */
export function normaliseEnrollmentCode(code: string): string {
  return code.replace(/[^0-9a-z]/gi, '').toUpperCase();
}

export function sqlDeviceChannel(query: SqlQuery): DeviceChannel {
  const one = async <T>(
    action: string,
    text: string,
    params: unknown[],
    schema: z.ZodType<T>,
  ): Promise<T> => {
    let rows: Record<string, unknown>[];
    try {
      rows = await query(text, params);
    } catch (error) {
      throw centralError(error, action);
    }
    return schema.parse(rows[0]?.result);
  };
  return {
    redeem: async (code, label) => {
      const answer = await one(
        'redeeming the enrollment code',
        'SELECT vigil.redeem_enrollment($1, $2) AS result',
        [normaliseEnrollmentCode(code), label],
        z.union([RedemptionSchema, RefusalSchema]),
      );
      if ('refused' in answer) throw refusalError(answer);
      return answer;
    },
    fetchExam: (token) =>
      one('fetching the exam', 'SELECT vigil.fetch_exam($1) AS result', [token], z.unknown()),
    releaseExamKey: async (token, examId) => {
      const released = await one(
        'starting the exam',
        'SELECT vigil.release_exam_key($1, $2) AS result',
        [token, examId],
        z.object({ key: z.string(), serverTime: z.string() }),
      );
      return { key: Buffer.from(released.key, 'base64'), serverTime: released.serverTime };
    },
    profile: (token) =>
      one(
        'fetching the candidate profile',
        'SELECT vigil.device_profile($1) AS result',
        [token],
        DeviceProfileSchema,
      ),
    ingest: (token, items) =>
      one(
        'sending records',
        'SELECT vigil.ingest($1, $2::jsonb) AS result',
        [token, JSON.stringify(items)],
        z.array(ReceiptSchema),
      ),
    anchor: (token, heads) =>
      one(
        'anchoring the evidence chain',
        'SELECT vigil.anchor_chain($1, $2::jsonb) AS result',
        [token, JSON.stringify(heads)],
        z.object({ anchored: z.number() }),
      ),
    blobBegin: (token, meta) =>
      one(
        'starting an upload',
        'SELECT vigil.blob_begin($1, $2::jsonb) AS result',
        [token, JSON.stringify(meta)],
        z.object({ offset: z.number(), status: z.enum(['uploading', 'complete']) }),
      ),
    blobChunk: (token, blobId, offset, data, sha256) =>
      one(
        'uploading a chunk',
        'SELECT vigil.blob_chunk($1, $2, $3, $4, $5) AS result',
        [token, blobId, offset, data, sha256],
        z.object({ offset: z.number() }),
      ),
    blobFinish: (token, blobId) =>
      one(
        'finishing an upload',
        'SELECT vigil.blob_finish($1, $2) AS result',
        [token, blobId],
        BlobReceiptSchema,
      ),
  };
}
