// Exam definitions cached on the device at enrollment, so an enrolled exam can start and run while
// the central server is unreachable.
import { z } from 'zod';
import { ExamTypeSchema } from '../../src-preload/vocabulary';
import { VigilError } from '../errors';
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

export function cacheExam(tx: Tx, exam: unknown): CachedExam {
  const parsed = CachedExamSchema.safeParse(exam);
  if (!parsed.success) {
    throw new VigilError('BAD_REQUEST', 'The exam definition from the central server is malformed.', {
      issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    });
  }
  const definition = JSON.stringify(parsed.data);
  const fetchedAt = new Date().toISOString();
  tx.run(
    tx.q
      .insertInto('cached_exams')
      .values({ id: parsed.data.id, definition, fetched_at: fetchedAt })
      .onConflict((oc) => oc.column('id').doUpdateSet({ definition, fetched_at: fetchedAt })),
  );
  return parsed.data;
}

export function cachedExam(tx: Tx, examId: string): CachedExam | undefined {
  const row = tx.first(tx.q.selectFrom('cached_exams').select('definition').where('id', '=', examId));
  return row ? CachedExamSchema.parse(JSON.parse(row.definition)) : undefined;
}
