// An exam's explicit storage quota (`policy.storageQuota`, central 0520): how many bytes and files
// one session and one device (enrollment) may file centrally. Without it the server derives the
// quota from the exam's length and upload mode (vigil.blob_quota, the authority). The admin tools
// refuse a malformed value here so a typo is seen when the exam is saved; the server ignores one
// (falls back to the derived value), so a bad value never means "no quota".
import { z } from 'zod';
import { VigilError } from '../errors';

const positive = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const StorageQuotaSchema = z
  .object({
    sessionBytes: positive.optional(),
    sessionBlobs: positive.optional(),
    deviceBytes: positive.optional(),
    deviceBlobs: positive.optional(),
  })
  .strict();
export type StorageQuota = z.infer<typeof StorageQuotaSchema>;

/** Refuses a policy whose `storageQuota` is not an object of positive whole numbers. */
export function checkStorageQuotaPolicy(policy: Record<string, unknown>): void {
  if (policy.storageQuota === undefined) return;
  const parsed = StorageQuotaSchema.safeParse(policy.storageQuota);
  if (parsed.success) return;
  throw new VigilError(
    'BAD_REQUEST',
    'The exam policy\'s "storageQuota" takes sessionBytes, sessionBlobs, deviceBytes and deviceBlobs, ' +
      'each a positive whole number (leave one out to keep the size derived from the exam).',
    {
      field: 'policy.storageQuota',
      issues: parsed.error.issues.map((i) => `${['storageQuota', ...i.path].join('.')}: ${i.message}`),
    },
  );
}
