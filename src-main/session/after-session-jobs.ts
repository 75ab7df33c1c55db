// The work after a finished session as jobs of the device's one runner (src-main/store/job-runner.ts):
// the spoken answers' transcriptions, the recording queued for upload (after its merge, a job of the
// media service), the evaluation, the report, and the local copy's retention purge. The session's end writes the
// recording and evaluation jobs in its final transaction (candidate-service.ts `finish`); the
// evaluation's first attempt then asks for the report, so the finish screen reaches a report even
// while the evaluation is retried offline, and a later successful evaluation gets a report of its own.
import { randomUUID } from 'node:crypto';
import type { ErrorCode } from '../../src-preload/contract';
import { enqueueLocalPurge, registerLocalPurgeJob } from '../admin/local-purge-job';
import { VigilError } from '../errors';
import type { EvaluationPlace } from '../evaluation/evaluation-policy';
import { buildEvaluationInput, type ProctoringStatsSource } from '../evaluation/evaluation-input';
import { insertEvaluation, latestEvaluation } from '../evaluation/evaluation-store';
import type { Evaluation, Evaluator } from '../evaluation/types';
import type { Transcriber } from '../interview/session-flow';
import { InterviewRepository } from '../interview/session-repository';
import { markTranscriptionFailed, transcribeAnswer } from '../interview/transcribe-answer';
import type { MediaRuntime } from '../media/runtime';
import type { ReportService } from '../reports/report-service';
import { hashFile, registerBlob } from '../store/blob-uploads';
import { cachedExamInfo } from '../store/exam-cache';
import { JobFailure, JobRunner, PERMANENT_ERROR_CODES } from '../store/job-runner';
import { enqueueJob, jobId, jobsFor, jobState, runJobNow } from '../store/jobs';
import type { LocalStore, Tx } from '../store/local-store';
import { getProgress } from './candidate-progress';
import { linkRecordingArtifacts } from './recording-links';

/** Transcription attempts before the answer is evaluated without its transcript: with the backoff
 * (30 s, 60 s) the evaluation waits about as long for an unreachable provider as it used to (2 min). */
const TRANSCRIPTION_ATTEMPTS = 3;

export interface AfterSessionJobDeps {
  store: LocalStore;
  /** The data folder: the local purge removes the session's files under it. */
  dataDir: string;
  evaluator: Evaluator;
  reports: ReportService;
  media: MediaRuntime;
  /** Null when no transcription endpoint is configured (answers are then stored 'not_configured'). */
  transcriber: Transcriber | null;
}

/**
 * Enqueues the work after the session in the session's final transaction. Returns the session's
 * recording (the one given, or its latest in the media ledger).
 */
export function enqueueAfterSession(tx: Tx, sessionId: string, recordingId: string | null): string | null {
  const recording = recordingId ?? latestRecordingOf(tx, sessionId);
  // The upload takes the merged file: it waits for the merge, queued when the recording stopped —
  // or now, for a recording the app's stop left unstopped (merged as a crash left it).
  let merge = recording ? jobId(tx, 'merge', recording) : undefined;
  if (recording && merge === undefined && unmerged(tx, recording))
    merge = enqueueJob(tx, {
      kind: 'merge',
      sessionId,
      key: recording,
      payload: { recordingId: recording, recovery: true },
    });
  const upload = enqueueJob(tx, {
    kind: 'recording_upload',
    sessionId,
    key: sessionId,
    payload: { recordingId: recording },
    ...(merge !== undefined ? { dependsOn: [merge] } : {}),
  });
  const session = tx.raw
    .prepare(
      `SELECT coalesce(s.ended_at, s.started_at) AS ended_at, json_extract(c.definition, '$.retentionDays') AS days
       FROM sessions s LEFT JOIN cached_exams c ON c.id = s.exam_id WHERE s.id = ?`,
    )
    .get(sessionId) as { ended_at: string; days: number | null } | undefined;
  // The evaluation and the report read the transcripts: they wait until each transcription is done
  // or has failed. They also come after the recording is queued (as before the jobs): when the
  // finish screen shows the report, the recording's line is final too.
  const transcriptions = jobsFor(tx, sessionId)
    .filter((j) => j.kind === 'transcription')
    .map((j) => j.id);
  const dependsOn = [upload, ...transcriptions];
  // Only a practice exam evaluated on the device runs the evaluation here (which then asks for the
  // report); otherwise the server evaluates, and the report (without scores) is asked for at once.
  const evaluation =
    sessionEvaluationPlace(tx, sessionId) === 'device'
      ? enqueueJob(tx, { kind: 'evaluation', sessionId, key: sessionId, payload: {}, dependsOn })
      : enqueueJob(tx, {
          kind: 'report',
          sessionId,
          key: sessionId,
          payload: { trigger: 'session_end' },
          dependsOn,
        });
  // Last, the local copy's retention: due when the exam's retention runs out, after the rest.
  if (session)
    enqueueLocalPurge(tx, {
      sessionId,
      endedAt: session.ended_at,
      retentionDays: session.days ?? undefined,
      after: [evaluation, upload, ...transcriptions, ...(merge !== undefined ? [merge] : [])],
    });
  return recording;
}

/** Where the session's exam is evaluated, by the exam facts this device cached (the sealed cache's
 * plain `evaluation`, central 0452: readable after a restart, before the exam is opened again). */
export function sessionEvaluationPlace(tx: Tx, sessionId: string): EvaluationPlace {
  // The interview's own record names the exam too (sessions recorded before the session row).
  const row = tx.raw
    .prepare(
      `SELECT json_extract(c.definition, '$.evaluation') AS evaluation FROM cached_exams c
       WHERE c.id = coalesce((SELECT exam_id FROM sessions WHERE id = ?),
                             (SELECT exam_id FROM session_exams WHERE session_id = ?))`,
    )
    .get(sessionId, sessionId) as { evaluation: string | null } | undefined;
  return row?.evaluation === 'device' ? 'device' : 'server';
}

/** The session's latest recording in the media ledger (the one main opened for it last). */
export function latestRecordingOf(tx: Tx, sessionId: string): string | null {
  const row = tx.raw
    .prepare(`SELECT id FROM media_recordings WHERE session_id = ? ORDER BY started_at DESC LIMIT 1`)
    .get(sessionId) as { id: string } | undefined;
  return row?.id ?? null;
}

function unmerged(tx: Tx, recordingId: string): boolean {
  const row = tx.raw.prepare(`SELECT state FROM media_recordings WHERE id = ?`).get(recordingId) as
    { state: string } | undefined;
  return !!row && ['recording', 'stopped', 'failed'].includes(row.state);
}

/** The transcription job of a spoken answer, written in the answer's transaction. */
export function enqueueTranscription(tx: Tx, sessionId: string, questionId: string): void {
  enqueueJob(tx, {
    kind: 'transcription',
    sessionId,
    key: questionId,
    payload: { answerId: questionId },
    maxAttempts: TRANSCRIPTION_ATTEMPTS,
  });
}

// The evaluator takes no signal: a stopping runner must not wait for a provider that never answers.
// The attempt is given up (re-queued, not counted) and its late answer ignored.
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    const abort = () => reject(new VigilError('UNAVAILABLE', 'Vigil stopped during the evaluation.'));
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
  });
}

/** The transcription of spoken answers (retried while the provider is unreachable, then given up). */
export function registerTranscriptionJob(
  runner: JobRunner,
  deps: Pick<AfterSessionJobDeps, 'store' | 'transcriber'>,
): void {
  const { transcriber } = deps;
  runner.register('transcription', async ({ answerId }, { job }) => {
    const repo = new InterviewRepository(deps.store);
    if (!transcriber) {
      markTranscriptionFailed(repo, answerId);
      throw new JobFailure('CONFIG_INVALID', 'No transcription endpoint is configured.');
    }
    try {
      return await transcribeAnswer({ repo, transcriber: transcriber }, job.sessionId!, answerId);
    } catch (error) {
      // The last attempt (or an unreadable file): the answer keeps its audio without a transcript.
      const permanent =
        error instanceof JobFailure || (error instanceof VigilError && PERMANENT_ERROR_CODES.has(error.code));
      if (permanent || job.attempts >= job.maxAttempts) markTranscriptionFailed(repo, answerId);
      throw error;
    }
  });
}

export interface EvaluationJobDeps {
  store: LocalStore;
  evaluator: Evaluator;
  /** Proctoring statistics for the evaluator's input (none by default). */
  proctoring?: ProctoringStatsSource;
}

/**
 * The evaluation of a finished session, from the local database only (so it works offline). Its
 * first attempt asks for the report, so a report exists while an offline evaluation is retried;
 * an evaluation that succeeds later gets a report of its own.
 */
export function registerEvaluationJob(runner: JobRunner, deps: EvaluationJobDeps): void {
  const { store } = deps;
  const askForReport = (sessionId: string, key: string) =>
    store.write('report queued', (tx) =>
      enqueueJob(tx, { kind: 'report', sessionId, key, payload: { trigger: 'session_end' } }),
    );

  runner.register('evaluation', async (_payload, { job, signal }) => {
    const sessionId = job.sessionId!;
    const existing = latestEvaluation(store, sessionId);
    if (existing) {
      askForReport(sessionId, sessionId);
      return { evaluationId: existing.id, overall: existing.overall, evaluator: existing.evaluator };
    }
    try {
      // Built from the local database only, so evaluation works offline; NOT_FOUND is permanent.
      const input = buildEvaluationInput(new InterviewRepository(store), sessionId, deps.proctoring);
      // A job queued before this version, or `vigil evaluate`: the server evaluates this exam.
      if (sessionEvaluationPlace(store, sessionId) === 'server')
        throw new JobFailure(
          'CONFLICT',
          'This exam is evaluated by the central server after the upload; this device does not evaluate it.',
        );
      const result = await Promise.race([deps.evaluator.evaluate(input), untilAborted(signal)]);
      // This synchronous=FULL commit also makes the attempt's token_usage rows durable: they were
      // committed without an fsync of their own (see token-ledger.ts).
      const saved = store.write('evaluation saved', (tx) => {
        const row = insertEvaluation(tx, sessionId, result, new Date().toISOString());
        const reports = jobsFor(tx, sessionId).filter((j) => j.kind === 'report');
        enqueueJob(tx, {
          kind: 'report',
          sessionId,
          key: reports.length > 0 ? `${sessionId}:evaluated` : sessionId,
          payload: { trigger: 'session_end' },
        });
        return row;
      });
      return { evaluationId: saved.id, overall: saved.overall, evaluator: saved.evaluator };
    } catch (error) {
      if (!signal.aborted) askForReport(sessionId, sessionId);
      throw error;
    }
  });
}

/**
 * Runs a session's evaluation job now, in this process (`vigil evaluate`, the same job the app
 * runs): queued if it was not, due now if it waited or had failed. Resolves with the evaluation, or
 * throws the job's typed error; a job still waiting for its session's uploads or transcripts is a
 * CONFLICT that says so.
 */
export async function evaluateNow(deps: EvaluationJobDeps & { sessionId: string }): Promise<Evaluation> {
  const { store, sessionId } = deps;
  const runner = new JobRunner({ store });
  registerEvaluationJob(runner, deps);
  store.write('evaluation requested', (tx) => {
    enqueueJob(tx, { kind: 'evaluation', sessionId, key: sessionId, payload: {} });
    runJobNow(tx, 'evaluation', sessionId);
  });
  runner.start();
  try {
    await runner.drain();
  } finally {
    await runner.stop();
  }
  const evaluation = latestEvaluation(store, sessionId);
  if (evaluation) return evaluation;
  const job = jobState(store, 'evaluation', sessionId);
  if (job?.lastError)
    throw new VigilError(job.lastError.code as ErrorCode, job.lastError.message, { sessionId });
  throw new VigilError(
    'CONFLICT',
    `The evaluation of session ${sessionId} waits for its recording upload or transcripts; start Vigil to finish them.`,
    { sessionId },
  );
}

export function registerAfterSessionJobs(runner: JobRunner, deps: AfterSessionJobDeps): void {
  const { store } = deps;
  registerTranscriptionJob(runner, deps);
  registerEvaluationJob(runner, deps);
  registerLocalPurgeJob(runner, { store, dataDir: deps.dataDir });

  runner.register('report', async ({ trigger }, { job }) => {
    const report = await deps.reports.generate(job.sessionId!, trigger);
    return { reportId: report.archived.reportId };
  });

  // The merged recording (upload mode full) or the clips around each warning (flags_only) become
  // blob uploads; the full video of a flags_only exam never leaves the device.
  runner.register('recording_upload', async ({ recordingId }, { job, dependencies }) => {
    const sessionId = job.sessionId!;
    const merge = dependencies().find((d) => d.kind === 'merge');
    if (merge?.status === 'failed')
      throw new JobFailure(
        merge.lastError?.code ?? 'MEDIA_INVALID',
        `The recording could not be merged, so it is not uploaded: ${merge.lastError?.message ?? 'see the log'}`,
      );
    const progress = getProgress(store, sessionId);
    const exam = progress ? cachedExamInfo(store, progress.examId) : undefined;
    const recording = recordingId ?? progress?.recordingId;
    if (!recording || !exam) throw new JobFailure('NOT_FOUND', 'no recording was made');
    const already = store.raw
      .prepare(`SELECT count(*) AS n FROM blob_uploads WHERE session_id = ? AND kind IN ('video', 'other')`)
      .get(sessionId) as { n: number };
    if (already.n > 0) return { files: already.n };
    const warnings = (
      store.raw.prepare('SELECT id, started_at FROM warnings WHERE session_id = ?').all(sessionId) as {
        id: string;
        started_at: string;
      }[]
    ).map((w) => ({ id: w.id, startedAt: w.started_at }));
    const artifacts = await (await deps.media.uploads()).artifactsFor(recording, warnings);
    const chosen = artifacts.filter((a) =>
      exam.uploadMode === 'full' ? a.kind === 'recording' : a.kind === 'clip' || a.kind === 'poster',
    );
    const files = await Promise.all(chosen.map(async (a) => ({ a, file: await hashFile(a.file) })));
    const recordingStartedAt =
      (
        store.raw.prepare('SELECT started_at FROM media_recordings WHERE id = ?').get(recording) as
          { started_at: string } | undefined
      )?.started_at ?? null;
    store.write('recording queued for upload', (tx) => {
      linkRecordingArtifacts(
        tx,
        sessionId,
        recordingStartedAt,
        files.map(({ a, file }) => ({ artifact: a, sha256: file.sha256 })),
      );
      for (const { a, file } of files) {
        registerBlob(tx, {
          id: randomUUID(),
          sessionId,
          kind: a.kind === 'poster' ? 'other' : 'video',
          path: a.file,
          sha256: file.sha256,
          size: file.size,
          contentType: a.contentType,
          deleteAfterUpload: false,
        });
      }
    });
    return { files: files.length };
  });
}
