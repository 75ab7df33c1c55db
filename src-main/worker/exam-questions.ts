// The question-generation job: an exam that asks for generated questions (`generatedQuestions` in
// its policy) gets them once, from the worker's generator (the AI model with the worker's key, or
// the local generator without one), filed in exam_generated_questions with the basis they were made
// from (migration 0451); fetch_exam hands them to every device of the exam. Idempotent: a list for
// the exam's current basis is never made twice, and of two workers racing only the first is kept.
import { sql, type Kysely } from 'kysely';
import type { CentralDatabase } from '../central/schema';
import type { QuestionGenerator } from '../interview/question-generator';
import type { ExamType } from '../../src-preload/vocabulary';
import type { CentralUsageRecorder } from './central-usage';

export type QuestionsOutcome = 'filed' | 'current' | 'not_asked' | 'no_exam' | 'lost_race';

export async function generateExamQuestions(deps: {
  db: Kysely<CentralDatabase>;
  generator: QuestionGenerator;
  /** The AI model of the generator, null for the local one. */
  model: string | null;
  usage: CentralUsageRecorder;
  examId: string;
  workerId: string;
  jobId: string | null;
}): Promise<QuestionsOutcome> {
  const { db, examId } = deps;
  const { rows } = await sql<{
    type: ExamType;
    difficulty: number;
    basis: { count: number } & Record<string, unknown>;
    resume_text: string | null;
    job_title: string | null;
    job_description: string | null;
    current: boolean;
  }>`
    SELECT e.type, e.difficulty, vigil.question_basis(e) AS basis, r.content_text AS resume_text,
      j.title AS job_title, j.description AS job_description,
      EXISTS (SELECT 1 FROM vigil.exam_generated_questions g
              WHERE g.exam_id = e.id AND g.basis = vigil.question_basis(e)) AS current
    FROM vigil.exams e LEFT JOIN vigil.resumes r ON r.id = e.resume_id
    LEFT JOIN vigil.job_listings j ON j.id = e.job_listing_id
    WHERE e.id = ${examId}`.execute(db);
  const exam = rows[0];
  if (!exam) return 'no_exam';
  if (exam.basis.count <= 0) return 'not_asked';
  if (exam.current) return 'current';
  const questions = await deps.generator.generate({
    type: exam.type,
    difficulty: exam.difficulty,
    count: exam.basis.count,
    resumeText: exam.resume_text,
    // As the device builds it (session/runtime.ts), so both generators read the same listing.
    jobListingText: exam.job_title === null ? null : `${exam.job_title}\n${exam.job_description ?? ''}`,
    context: { examId },
  });
  // Usage rows first: a filed list always has its token_usage rows.
  await deps.usage.settle();
  const filed = await sql<{ exam_id: string }>`
    INSERT INTO vigil.exam_generated_questions AS g
      (exam_id, basis, questions, generator, model, generated_by, job_id)
    VALUES (${examId}, ${JSON.stringify(exam.basis)}::jsonb, ${JSON.stringify(questions)}::jsonb,
            ${deps.generator.kind}, ${deps.model}, ${deps.workerId}, ${deps.jobId})
    ON CONFLICT (exam_id) DO UPDATE SET basis = EXCLUDED.basis, questions = EXCLUDED.questions,
      generator = EXCLUDED.generator, model = EXCLUDED.model, generated_by = EXCLUDED.generated_by,
      job_id = EXCLUDED.job_id, created_at = now()
    WHERE g.basis IS DISTINCT FROM EXCLUDED.basis
    RETURNING g.exam_id`.execute(db);
  return filed.rows.length > 0 ? 'filed' : 'lost_race';
}
