// Exam definitions cached on the device at enrollment, so an enrolled exam can start and run while
// the central server is unreachable. The candidate owns this database, so the cache is sealed
// (central migration 0445, src-main/security/exam-seal.ts): the exam list reads the plain facts
// (CachedExamInfo), and the questions and policy exist in this process only after the start, when
// the sealed content has been opened with the exam's key (released by the server, or unwrapped
// with the proctor's start code) and held in memory. An edited cache does not open.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { ExamTypeSchema } from '../../src-preload/vocabulary';
import { VigilError } from '../errors';
import { openSealed, SealBroken } from '../security/exam-seal';
import type { Tx } from './local-store';

export const CachedExamSchema = z.object({
  id: z.string().uuid(),
  title: z.string(),
  type: ExamTypeSchema,
  difficulty: z.number().int().min(1).max(10),
  keyQuestions: z.array(z.object({ question: z.string(), time_limit_s: z.number().int().positive() })),
  policy: z.record(z.string(), z.unknown()),
  retentionDays: z.number().int().positive(),
  uploadMode: z.enum(['full', 'flags_only']),
  resumeText: z.string().nullable().optional(),
  jobListing: z.object({ title: z.string(), description: z.string() }).nullable().optional(),
  /** The central server's largest accepted file (its `max_blob_bytes`); absent from older servers. */
  maxBlobBytes: z.number().int().positive().optional(),
  /**
   * The exam's generated questions, made once by the central worker (fetch_exam, central migration
   * 0452); null or absent while it has made none (or from an older server): the device then
   * generates them itself.
   */
  generatedQuestions: z
    .object({
      source: z.enum(['ai', 'local']),
      model: z.string().nullable(),
      questions: z.array(z.object({ question: z.string(), time_limit_s: z.number().int().positive() })),
    })
    .nullable()
    .optional(),
});
export type CachedExam = z.infer<typeof CachedExamSchema>;

/** What is readable before the start: the exam list, uploads and retention need no more. */
export const CachedExamInfoSchema = z.object({
  id: z.string().uuid(),
  title: z.string(),
  type: ExamTypeSchema,
  difficulty: z.number().int().min(1).max(10),
  retentionDays: z.number().int().positive(),
  uploadMode: z.enum(['full', 'flags_only']),
  maxBlobBytes: z.number().int().positive().optional(),
  questionCount: z.number().int().nonnegative(),
  totalTimeS: z.number().int().nonnegative(),
  accommodations: z.array(z.string()),
  /** The exam's window by the server's clock (null: no bound); the server enforces it online. */
  opensAt: z.string().nullable(),
  closesAt: z.string().nullable(),
  /** A start code has been issued: the exam can start with the server unreachable. */
  offlineStart: z.boolean(),
  /**
   * Who evaluates the exam (central 0452; absent from older servers: the server). It only decides
   * what this device's after-session jobs do: the server refuses a device's evaluation of an exam it
   * evaluates, whatever this copy says.
   */
  evaluation: z.enum(['server', 'device']).default('server'),
  /**
   * The lowest Vigil version allowed to run the exam (its policy's minAppVersion, central 0530;
   * absent from older servers): the exam list says why an older app cannot start it. The sealed
   * policy's value is what consent checks.
   */
  minAppVersion: z.string().nullable().optional(),
});
export type CachedExamInfo = z.infer<typeof CachedExamInfoSchema>;

/** What vigil.fetch_exam returns: the plain facts, the sealed content, and the offline wrap if any. */
const FetchedExamSchema = CachedExamInfoSchema.omit({ offlineStart: true }).extend({
  maxBlobBytes: z.number().int().positive().nullable().optional(),
  sealed: z.string().min(1),
  offlineStart: z.object({ salt: z.string(), wrappedKey: z.string() }).nullable(),
});

export interface OfflineWrap {
  salt: Buffer;
  wrappedKey: Buffer;
}

/** Exams opened in this process (by database): the decrypted content never goes back to disk. */
const opened = new WeakMap<Database.Database, Map<string, CachedExam>>();

export function cacheExam(tx: Tx, fetched: unknown): CachedExamInfo {
  const parsed = FetchedExamSchema.safeParse(fetched);
  if (!parsed.success) {
    throw new VigilError('BAD_REQUEST', 'The exam definition from the central server is malformed.', {
      issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    });
  }
  const { sealed, offlineStart, maxBlobBytes, ...facts } = parsed.data;
  const info: CachedExamInfo = {
    ...facts,
    ...(maxBlobBytes ? { maxBlobBytes } : {}),
    offlineStart: offlineStart !== null,
  };
  const row = {
    definition: JSON.stringify(info),
    sealed: Buffer.from(sealed, 'base64'),
    offline_salt: offlineStart ? Buffer.from(offlineStart.salt, 'base64') : null,
    offline_wrapped_key: offlineStart ? Buffer.from(offlineStart.wrappedKey, 'base64') : null,
    fetched_at: new Date().toISOString(),
  };
  tx.run(
    tx.q
      .insertInto('cached_exams')
      .values({ id: info.id, ...row })
      .onConflict((oc) => oc.column('id').doUpdateSet(row)),
  );
  return info;
}

/** The plain facts of a cached exam (anything may have edited them: nothing decides on them alone). */
export function cachedExamInfo(tx: Tx, examId: string): CachedExamInfo | undefined {
  const row = tx.first(tx.q.selectFrom('cached_exams').select('definition').where('id', '=', examId));
  if (!row) return undefined;
  const parsed = CachedExamInfoSchema.safeParse(JSON.parse(row.definition));
  return parsed.success ? parsed.data : undefined;
}

/** The full exam, once opened in this process (see openCachedExam); undefined before the start. */
export function cachedExam(tx: Tx, examId: string): CachedExam | undefined {
  return opened.get(tx.raw)?.get(examId);
}

/** The content key wrapped under the exam's start code, when one was issued before the last fetch. */
export function offlineWrap(tx: Tx, examId: string): OfflineWrap | undefined {
  const row = tx.first(
    tx.q.selectFrom('cached_exams').select(['offline_salt', 'offline_wrapped_key']).where('id', '=', examId),
  );
  return row?.offline_salt && row.offline_wrapped_key
    ? { salt: row.offline_salt, wrappedKey: row.offline_wrapped_key }
    : undefined;
}

function tampered(examId: string, why: string): VigilError {
  return new VigilError(
    'INTEGRITY',
    'The exam saved on this computer has been altered, so it cannot start. Connect to the internet and ' +
      'open Vigil again to download it afresh, or ask your proctor for help.',
    { examId, reason: 'exam_cache_tampered', why },
  );
}

/**
 * Opens the sealed content with the exam's key and keeps it in memory for this process. Refuses
 * (INTEGRITY, reason exam_cache_tampered) content that does not authenticate, and plain facts that
 * do not match what was sealed with them.
 */
export function openCachedExam(tx: Tx, examId: string, key: Buffer): CachedExam {
  const row = tx.first(tx.q.selectFrom('cached_exams').selectAll().where('id', '=', examId));
  if (!row)
    throw new VigilError(
      'NOT_FOUND',
      'This exam is not saved on this computer. Connect once to download it.',
      {
        examId,
      },
    );
  let content: unknown;
  try {
    content = openSealed(Buffer.from(row.sealed), key);
  } catch (error) {
    if (error instanceof SealBroken || error instanceof SyntaxError) throw tampered(examId, error.message);
    throw error;
  }
  const exam = CachedExamSchema.safeParse(content);
  if (!exam.success || exam.data.id !== examId) throw tampered(examId, 'the sealed exam is not this exam');
  const info = cachedExamInfo(tx, examId);
  const total = exam.data.keyQuestions.reduce((sum, q) => sum + q.time_limit_s, 0);
  if (
    !info ||
    info.title !== exam.data.title ||
    info.type !== exam.data.type ||
    info.difficulty !== exam.data.difficulty ||
    info.retentionDays !== exam.data.retentionDays ||
    info.uploadMode !== exam.data.uploadMode ||
    (info.maxBlobBytes ?? null) !== (exam.data.maxBlobBytes ?? null) ||
    info.questionCount !== exam.data.keyQuestions.length ||
    info.totalTimeS !== total
  )
    throw tampered(examId, 'the exam list facts differ from the sealed exam');
  let byExam = opened.get(tx.raw);
  if (!byExam) opened.set(tx.raw, (byExam = new Map<string, CachedExam>()));
  byExam.set(examId, exam.data);
  return exam.data;
}
