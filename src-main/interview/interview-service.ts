// One facade over the interview and evaluation services for the contract handlers and the
// composition root: documents, session flows by id, evaluation jobs and the token ledger.
// Questions for a session are the admin's key questions plus, if asked, generated ones; when the AI
// provider is unreachable at the start of an exam the local generator fills in, so exams run offline.
import type { AiServices } from '../evaluation/ai-services';
import { EvaluationJobs, type ProctoringStatsSource } from '../evaluation/evaluation-jobs';
import { VigilError } from '../errors';
import { systemMonotonicClock, type MonotonicClock, type Scheduler } from './clock';
import { DocumentStore } from './documents';
import type { SqliteHandle } from './local-db';
import { LocalQuestionGenerator, type QuestionGenerator } from './question-generator';
import { InterviewSessionFlow, type PlannedQuestion, type SessionState } from './session-flow';
import { InterviewRepository } from './session-repository';
import type { Exam } from './types';

export interface InterviewServiceOptions {
  db: SqliteHandle;
  audioDir: string;
  ai: AiServices;
  clock?: MonotonicClock;
  scheduler?: Scheduler;
  proctoring?: ProctoringStatsSource;
  /** Background evaluation polling; 0 disables it (tests, CLI). */
  jobIntervalMs?: number;
  onWarning?: (message: string, error: unknown) => void;
}

/** Admin questions first, then generated ones; generation falls back to the local generator. */
export async function planQuestions(
  exam: Exam,
  generator: QuestionGenerator,
  options: {
    generateCount?: number;
    resumeText?: string | null;
    jobListingText?: string | null;
    onFallback?: (e: unknown) => void;
  },
): Promise<PlannedQuestion[]> {
  const planned: PlannedQuestion[] = exam.key_questions.map((q) => ({
    text: q.question,
    timeLimitS: q.time_limit_s,
    source: 'admin',
  }));
  const count = options.generateCount ?? 0;
  if (count > 0) {
    const request = {
      type: exam.type,
      difficulty: exam.difficulty,
      count,
      resumeText: options.resumeText ?? null,
      jobListingText: options.jobListingText ?? null,
      context: { examId: exam.id },
    };
    let generated;
    let source: PlannedQuestion['source'] = generator.kind === 'ai' ? 'ai' : 'local';
    try {
      generated = await generator.generate(request);
    } catch (error) {
      if (generator.kind !== 'ai') throw error;
      options.onFallback?.(error);
      generated = await new LocalQuestionGenerator().generate(request);
      source = 'local';
    }
    for (const q of generated) planned.push({ text: q.question, timeLimitS: q.time_limit_s, source });
  }
  return planned;
}

export class InterviewService {
  readonly documents: DocumentStore;
  readonly repo: InterviewRepository;
  readonly jobs: EvaluationJobs;
  private readonly flows = new Map<string, InterviewSessionFlow>();

  constructor(private readonly options: InterviewServiceOptions) {
    this.documents = new DocumentStore(options.db);
    this.repo = new InterviewRepository(options.db);
    this.jobs = new EvaluationJobs({
      db: options.db,
      evaluator: options.ai.evaluator,
      proctoring: options.proctoring,
      onError: (sessionId, error) => options.onWarning?.(`evaluation of ${sessionId} will be retried`, error),
    });
    if ((options.jobIntervalMs ?? 15_000) > 0) this.jobs.start(options.jobIntervalMs ?? 15_000);
  }

  get ledger() {
    return this.options.ai.ledger;
  }

  get generator(): QuestionGenerator {
    return this.options.ai.generator;
  }

  async startSession(input: {
    sessionId: string;
    exam: Exam;
    userId?: string | null;
    generateCount?: number;
  }): Promise<SessionState> {
    if (this.flows.has(input.sessionId) || this.repo.snapshot(input.sessionId))
      throw new VigilError('CONFLICT', `Session ${input.sessionId} has already started.`, {
        sessionId: input.sessionId,
      });
    const resumeText = input.exam.resume_id
      ? (this.documents.get('resume', input.exam.resume_id)?.text ?? null)
      : null;
    const jobListingText = input.exam.job_listing_id
      ? (this.documents.get('job_listing', input.exam.job_listing_id)?.text ?? null)
      : null;
    const questions = await planQuestions(input.exam, this.options.ai.generator, {
      generateCount: input.generateCount,
      resumeText,
      jobListingText,
      onFallback: (e) =>
        this.options.onWarning?.('AI question generation failed; using the local generator', e),
    });
    const flow = InterviewSessionFlow.start(this.flowDeps(), {
      sessionId: input.sessionId,
      exam: input.exam,
      userId: input.userId ?? null,
      resumeText,
      jobListingText,
      questions,
    });
    this.flows.set(input.sessionId, flow);
    return flow.state();
  }

  private flowDeps(): Parameters<typeof InterviewSessionFlow.start>[0] {
    return {
      repo: this.repo,
      clock: this.options.clock ?? systemMonotonicClock,
      ...(this.options.scheduler ? { scheduler: this.options.scheduler } : {}),
      audioDir: this.options.audioDir,
      transcriber: this.options.ai.transcriber,
      onEnded: (sessionId) => this.jobs.enqueue(sessionId),
    };
  }

  /** The running flow of a session; after a restart it is rebuilt from the local database. */
  flow(sessionId: string): InterviewSessionFlow {
    let flow = this.flows.get(sessionId);
    if (!flow) {
      flow = InterviewSessionFlow.resume(this.flowDeps(), sessionId) ?? undefined;
      if (!flow)
        throw new VigilError('NOT_FOUND', `No interview is running for session ${sessionId}.`, { sessionId });
      this.flows.set(sessionId, flow);
    }
    return flow;
  }

  /** Ends the interview at once; evaluation runs later as a job and never delays this. */
  endSession(sessionId: string): SessionState {
    const state = this.flow(sessionId).end();
    this.flows.delete(sessionId);
    // Kick the runner without awaiting it: the candidate's session is over either way.
    this.jobs.kick();
    return state;
  }

  async close(): Promise<void> {
    await this.jobs.stop();
    await Promise.all([...this.flows.values()].map((f) => f.idle()));
  }
}
