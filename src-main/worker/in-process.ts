// The central worker's jobs driven in this process, without the queue, for the embedded PGlite
// central store of `vigil demo`: pg-boss needs a PostgreSQL server its own connections reach, which
// an in-process PGlite is not. It takes the due work requests (vigil.worker_requests, written by the
// triggers of central migrations 0410, 0440, 0450 and 0451 exactly as for a real server) and runs
// the same handlers the queue's workers run, with the local evaluator and generator and no
// transcription model (spoken answers are filed as not transcribed). A real deployment runs
// `vigil worker`.
import { sql, type Kysely } from 'kysely';
import type { CentralDatabase } from '../central/schema';
import { LocalEvaluator } from '../evaluation/local-evaluator';
import { Pricing } from '../evaluation/pricing';
import { LocalQuestionGenerator } from '../interview/question-generator';
import { CentralUsageRecorder } from './central-usage';
import { evaluateCentralSession } from './evaluate-session';
import { generateExamQuestions } from './exam-questions';
import { makeCentralReport } from './make-report';
import type { RequestKind, WorkerRequest } from './request-relay';
import { fileServerRisk } from './server-risk';
import { transcribeCentralAnswers } from './transcribe-answer';

/** Questions and transcripts before the evaluation that reads them, then risk, then the report
 * (which shows both); requests raised meanwhile are taken by the next round. */
const ORDER: Record<RequestKind, number> = { questions: 0, transcribe: 1, evaluate: 2, risk: 3, report: 4 };

export async function runWorkerRequestsInProcess(
  db: Kysely<CentralDatabase>,
  workerId: string,
): Promise<{ evaluated: number; risks: number; transcribed: number; questions: number; reports: number }> {
  const done = { evaluated: 0, risks: 0, transcribed: 0, questions: 0, reports: 0 };
  const usage = () => new CentralUsageRecorder(db, new Pricing());
  for (;;) {
    const { rows } = await sql<WorkerRequest>`
      DELETE FROM vigil.worker_requests RETURNING session_id, exam_id, kind`.execute(db);
    if (rows.length === 0) return done;
    for (const request of [...rows].sort((a, b) => ORDER[a.kind] - ORDER[b.kind])) {
      const sessionId = request.session_id ?? '';
      if (request.kind === 'evaluate') {
        const outcome = await evaluateCentralSession({
          db,
          evaluator: new LocalEvaluator(),
          usage: usage(),
          sessionId,
          workerId,
          jobId: null,
        });
        if (outcome === 'filed') done.evaluated++;
      } else if (request.kind === 'risk') {
        await fileServerRisk(db, sessionId);
        done.risks++;
      } else if (request.kind === 'report') {
        const made = await makeCentralReport({ db, sessionId, workerId, jobId: null });
        if (made.outcome === 'filed') done.reports++;
      } else if (request.kind === 'transcribe') {
        const outcome = await transcribeCentralAnswers({
          db,
          transcriber: null,
          model: null,
          usage: usage(),
          sessionId,
          workerId,
          jobId: null,
        });
        done.transcribed += outcome.transcribed + outcome.failed;
      } else {
        const outcome = await generateExamQuestions({
          db,
          generator: new LocalQuestionGenerator(),
          model: null,
          usage: usage(),
          examId: request.exam_id ?? '',
          workerId,
          jobId: null,
        });
        if (outcome === 'filed') done.questions++;
      }
    }
  }
}
