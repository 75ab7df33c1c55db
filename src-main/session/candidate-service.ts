// The candidate's session as a stage machine: enrolment → consent → system check → ID check →
// interview (with breaks) → finish. Each step writes locally first and keeps the stage in SQLite
// (candidate_progress) so a reload or a restart resumes where it was; nothing waits for the network
// except enrolment. The work of each step lives in the files named for it; proctoring of a running
// session is its SessionProctor (src-main/proctoring/session-proctor.ts).
import { randomUUID } from 'node:crypto';
import type { CallResponse, FinishProgress, InterviewState } from '../../src-preload/contract';
import { VigilError } from '../errors';
import { evaluationPlaceOf } from '../evaluation/evaluation-policy';
import type { BreakEvent, InterviewSessionFlow } from '../interview/session-flow';
import { examLockdownPort } from '../lockdown/port';
import type { ViolationTracker } from '../lockdown/violations';
import { SessionProctor } from '../proctoring/session-proctor';
import type { WarningEvent } from '../proctoring/types';
import { WarningRecorder } from '../proctoring/warning-recorder';
import { appendEvent } from '../store/event-chain';
import { enrollmentFor, isExpired } from '../store/enrollments';
import { cachedExam, cachedExamInfo, type CachedExam } from '../store/exam-cache';
import { finishSession, startSession } from '../store/sessions';
import { enqueueAfterSession, latestRecordingOf } from './after-session-jobs';
import { createProgress, getProgress, updateProgress, type Progress } from './candidate-progress';
import { candidateOverview, type Overview, type Reachability } from './candidate-overview';
import type { CandidatePorts } from './candidate-ports';
import { refetchMissingExams } from '../sync/enroll';
import { enrollDevice } from './enrollment';
import { openExamForStart } from './exam-start';
import { browserFocusTracker, pageReportsFocus } from './browser-focus';
import { accommodationRecord, examLockdownInput } from './exam-options';
import { finishProgress } from './finish-progress';
import { verifyIdStep } from './id-verification';
import { enforceIntegrityGate, lastGateRefusal, type IntegrityGate } from './integrity-gate';
import { recordBreak, storeSpokenAnswer, type SpokenAnswerInput } from './interview-extras';
import { toInterviewState } from './interview-state';
import { planResume, recordInterruption } from './interview-resume';
import { noticeFor } from './notices';
import { beginExamEvidence, type ExamEvidence } from './session-evidence';
import { sessionRisk } from './session-risk';
import { runSystemCheck, type SystemCheckInput } from './system-check-step';

export type { CandidatePorts } from './candidate-ports';
export type { IdCheck } from './id-verification';

/** A session this process is running: kept in memory once loaded, so frames cost no database read. */
interface Live {
  sessionId: string;
  exam: CachedExam;
  proctor: SessionProctor;
  flow?: InterviewSessionFlow;
  evidence?: ExamEvidence;
  /** Focus reported by the page (browser host), closed at the session's end. */
  focus?: ViolationTracker;
}

export class CandidateService {
  private readonly live = new Map<string, Live>();
  /** Interviews being resumed after a restart (a second call waits for the same one). */
  private readonly resuming = new Map<string, Promise<InterviewSessionFlow>>();
  private reachable: Reachability = { value: false, checkedAt: new Date(0).toISOString() };

  constructor(private readonly ports: CandidatePorts) {}

  // ---- Enrollment and exams ------------------------------------------------------------------

  async overview(): Promise<Overview> {
    await this.refreshReachability();
    if (this.reachable.value) await this.refetchMissing();
    return candidateOverview(this.ports.store, this.reachable, this.ports.versionBlock);
  }

  async enroll(code: string): Promise<Overview> {
    await enrollDevice(this.ports, code);
    return this.overview();
  }

  // ---- Consent and checks --------------------------------------------------------------------

  /**
   * The start: opens the sealed exam (the server's key online, the proctor's start code offline),
   * then records consent and the session.
   */
  async consent(examId: string, startCode?: string): Promise<{ sessionId: string; consentedAt: string }> {
    const exam = await openExamForStart(this.ports, examId, startCode);
    this.ports.versionGate(exam); // before anything is recorded
    // A session is filed under its exam's enrollment: with none valid its data could never be sent
    // (and must never go with another exam's).
    const enrollment = enrollmentFor(this.ports.store, exam.id);
    if (!enrollment || isExpired(enrollment))
      throw new VigilError(
        'NOT_READY',
        `${enrollment ? 'Your enrollment for ' + exam.title + ' has expired' : 'This device is not enrolled for ' + exam.title}. Ask for a new enrollment code and choose “Enroll another exam” to enter it.`,
        { examId: exam.id, expiresAt: enrollment?.expiresAt ?? null },
      );
    const sessionId = randomUUID();
    const consentedAt = new Date().toISOString();
    this.ports.store.write('consent', (tx) => {
      startSession(tx, { examId: exam.id, id: sessionId, startedAt: consentedAt });
      appendEvent(tx, {
        sessionId,
        kind: 'consent_recorded',
        data: { examId: exam.id, uploadMode: exam.uploadMode, retentionDays: exam.retentionDays },
        at: consentedAt,
      });
      createProgress(tx, { sessionId, examId: exam.id, consentedAt });
    });
    return { sessionId, consentedAt };
  }

  async systemCheck(input: SystemCheckInput): Promise<CallResponse<'candidateSystemCheck'>> {
    const progress = this.progress(input.sessionId);
    await this.reopen(progress.examId);
    const exam = this.exam(progress.examId);
    await this.refreshReachability();
    return runSystemCheck(this.ports, { progress, exam, centralReachable: this.reachable.value }, input);
  }

  async verifyId(sessionId: string, card: Uint8Array, live: Uint8Array) {
    const progress = this.progress(sessionId);
    if (progress.stage === 'system_check') {
      throw new VigilError('CONFLICT', 'Finish the system check before the ID check.');
    }
    await this.reopen(progress.examId);
    const checked = await verifyIdStep(this.ports, sessionId, card, live);
    this.live.get(sessionId)?.proctor.setReferenceEmbedding(checked.liveEmbedding);
    return checked.response;
  }

  // ---- Interview -----------------------------------------------------------------------------

  async beginInterview(sessionId: string): Promise<InterviewState> {
    const progress = this.progress(sessionId);
    await this.reopen(progress.examId);
    if (progress.stage === 'system_check')
      throw (
        lastGateRefusal(this.ports.store, sessionId) ??
        new VigilError('CONFLICT', 'Finish the system check first.')
      );
    const live = this.liveSession(sessionId, progress);
    if (!live.flow) {
      // The integrity gate again, here in main: a `refuse` finding stops the exam with what to do.
      const gate = await enforceIntegrityGate(this.ports, sessionId, live.exam);
      if (live.flow) return this.interviewState(sessionId);
      const flow = await this.ports.startInterview(sessionId, live.exam, {
        onBreak: (event) => this.onBreak(live, event),
      });
      // Another call started it while the questions were planned: theirs is the interview.
      if (live.flow) return this.interviewState(sessionId);
      live.flow = flow;
      this.ports.store.write('interview started', (tx) => {
        updateProgress(tx, sessionId, { stage: 'interview' });
        appendEvent(tx, {
          sessionId,
          kind: 'interview_started',
          // The accommodation the candidate had (extra time, breaks, detector profile), for reviewers.
          data: { accommodation: accommodationRecord(live.exam.policy) },
          at: new Date().toISOString(),
        });
        // The rate the camera is analysed at for the whole exam, and why (see frameRateFor).
        appendEvent(tx, {
          sessionId,
          kind: 'analysis_rate',
          data: {
            fps: progress.analysisFps,
            configuredFps: this.ports.configuredFps,
            reason: progress.analysisFps < this.ports.configuredFps ? 'cpu_probe' : 'configured',
          },
        });
      });
      await this.startProctoring(live, progress, gate);
    }
    return this.interviewState(sessionId);
  }

  /** Proctoring and the exam's lockdown evidence, at the interview's start or its resumption. */
  private async startProctoring(live: Live, progress: Progress, gate: IntegrityGate): Promise<void> {
    await live.proctor.start(progress.referenceEmbedding, progress.analysisFps);
    // Kiosk, content protection, shortcut and clipboard guards: only the desktop shell can; in the
    // browser (headless host) the chain records that lockdown was not available. Either way the
    // chain gets the app build, the policy hash and every lockdown check.
    live.evidence = await beginExamEvidence({
      store: this.ports.store,
      sessionId: live.sessionId,
      lockdownInput: examLockdownInput(live.exam.policy),
      proctoringPolicy: this.ports.policyFor(live.exam),
      ports: this.ports.evidence,
      logger: this.ports.logger,
      gate,
    });
  }

  /**
   * The interview of a session this process did not start: the app stopped (crash, power loss)
   * while it ran. Back in time, it goes on at the open question with its draft and clock (the
   * exam's interruption policy); the interruption is a chain event and a warning with its
   * duration. Too late, the session finishes with what was saved.
   */
  private resumeAfterRestart(live: Live, now = new Date()): Promise<InterviewSessionFlow> {
    let resuming = this.resuming.get(live.sessionId);
    if (!resuming) {
      resuming = this.resumeNow(live, now).finally(() => this.resuming.delete(live.sessionId));
      this.resuming.set(live.sessionId, resuming);
    }
    return resuming;
  }

  private async resumeNow(live: Live, now: Date): Promise<InterviewSessionFlow> {
    const { sessionId } = live;
    const progress = this.progress(sessionId);
    if (progress.stage !== 'interview')
      throw new VigilError('CONFLICT', 'The interview has not started.', { sessionId });
    const plan = planResume(this.ports.store, sessionId, live.exam.policy, now);
    // The gate again, before anything changes: what runs now is what the exam goes on with (a
    // refusal leaves the session as it was, for the candidate to fix and come back).
    const gate = plan.expired ? undefined : await enforceIntegrityGate(this.ports, sessionId, live.exam);
    const hooks = { onBreak: (event: BreakEvent) => this.onBreak(live, event) };
    const flow = this.ports.resumeInterview(sessionId, hooks, {
      clock: plan.expired ? 'next_question' : plan.policy.clock,
      stoppedAt: plan.stoppedAt,
    });
    const questionId = flow?.state().current?.id ?? null;
    this.ports.store.write('interview interrupted', (tx) =>
      recordInterruption(tx, sessionId, plan, questionId),
    );
    if (!flow || !gate) {
      flow?.end();
      if (flow) live.flow = flow;
      await this.finish(sessionId);
      if (!flow)
        throw new VigilError('CONFLICT', 'This interview has ended; its answers are saved.', { sessionId });
      return flow;
    }
    live.flow = flow;
    live.proctor.recordAppInterruption({
      startedAt: plan.stoppedAt,
      endedAt: plan.resumedAt,
      details: { durationMs: plan.interruptedMs, clock: plan.policy.clock, questionId },
    });
    await this.startProctoring(live, progress, gate);
    return flow;
  }

  async interviewState(sessionId: string): Promise<InterviewState> {
    if (!this.live.has(sessionId)) await this.reopen(this.progress(sessionId).examId);
    const live = this.liveSession(sessionId);
    const flow = live.flow ?? (await this.resumeAfterRestart(live));
    return toInterviewState(sessionId, live.exam, flow.tick());
  }

  async saveDraft(sessionId: string, questionId: string, text: string): Promise<{ savedAt: string }> {
    this.requireFlow(sessionId).saveDraft(questionId, text);
    return { savedAt: new Date().toISOString() };
  }

  async submitAnswer(sessionId: string, questionId: string, text: string, thenBreak?: boolean) {
    const state = this.requireFlow(sessionId).submit(questionId, text, { thenBreak });
    return toInterviewState(sessionId, this.liveSession(sessionId).exam, state);
  }

  /** A spoken answer's audio: stored, linked to its answer, queued for upload, then transcribed. */
  async submitSpokenAnswer(sessionId: string, input: SpokenAnswerInput): Promise<InterviewState> {
    const state = storeSpokenAnswer(this.ports.store, this.requireFlow(sessionId), sessionId, input);
    return toInterviewState(sessionId, this.liveSession(sessionId).exam, state);
  }

  /** The candidate is back from a break: the next question starts now. */
  async endBreak(sessionId: string): Promise<InterviewState> {
    const state = this.requireFlow(sessionId).endBreak();
    return toInterviewState(sessionId, this.liveSession(sessionId).exam, state);
  }

  /** A sampled camera frame (the captured JPEG), for the rules or, before the interview, the preview. */
  async frame(input: { sessionId: string; jpeg: Uint8Array; width: number; height: number }) {
    return this.liveSession(input.sessionId).proctor.frame(input.jpeg);
  }

  async audio(
    sessionId: string,
    frames: { timestampMs: number; levelDb: number; voiceProbability: number; trackLive: boolean }[],
  ) {
    return this.liveSession(sessionId).proctor.audio(frames);
  }

  /** The exam page lost or regained focus (browser host); see browser-focus.ts. */
  focus(sessionId: string, focused: boolean): { recorded: boolean } {
    const live = this.live.get(sessionId);
    const state = live?.flow?.state();
    // Not before the interview, nor after it, nor during a break (the candidate may leave then).
    if (!live || !state || state.status === 'ended' || state.breaks?.active || !pageReportsFocus())
      return { recorded: false };
    live.focus ??= browserFocusTracker();
    live.focus.handle({ kind: focused ? 'focus' : 'blur', at: Date.now() });
    return { recorded: true };
  }

  // ---- Finish --------------------------------------------------------------------------------

  /**
   * The recording uploaded with the session is the one main opened for it (candidate_progress, or
   * the session's latest in the media ledger), never one the renderer names.
   */
  async finish(sessionId: string, recordingError?: string, status: 'completed' | 'abandoned' = 'completed') {
    const progress = this.progress(sessionId);
    if (progress.stage !== 'finish') {
      await this.reopen(progress.examId);
      const live = this.live.get(sessionId);
      await live?.evidence?.close(); // the start's checks belong before the session's end
      live?.focus?.finish(Date.now()); // a focus loss still open at the end is kept, to the end
      if (live?.flow && live.flow.state().status !== 'ended') live.flow.end();
      await live?.proctor.end();
      const exam = live?.exam ?? this.exam(progress.examId);
      this.ports.store.write('session finished', (tx) => {
        const recordingId = progress.recordingId ?? latestRecordingOf(tx, sessionId);
        if (recordingError) {
          appendEvent(tx, {
            sessionId,
            kind: 'recording_stop_failed',
            data: { recordingId, reason: recordingError },
          });
        }
        const endedAt = new Date().toISOString();
        // Risk from the stored warnings, whether or not this process saw them raised — only for
        // a practice exam the device evaluates; otherwise the server scores it and the device
        // sends no risk at all.
        const risk =
          evaluationPlaceOf(exam.policy) === 'device'
            ? sessionRisk(tx, sessionId, this.ports.policyFor(exam), endedAt)
            : undefined;
        finishSession(tx, { sessionId, status, ...(risk ? { risk } : {}), endedAt });
        // The session's row and the work after it commit together; the runner picks the jobs up.
        const recording = enqueueAfterSession(tx, sessionId, recordingId);
        updateProgress(tx, sessionId, { stage: 'finish', recordingId: recording });
      });
      this.live.delete(sessionId);
      if (this.live.size === 0) examLockdownPort()?.exit();
    }
    return this.finishProgress(sessionId);
  }

  /**
   * At start: sessions the app left unfinished whose candidate can no longer come back (the exam's
   * `interruption.returnWithinMinutes` has passed) finish with what was saved — an interview as
   * completed, a session stopped before its interview as abandoned — so every started session
   * reaches "finished" centrally. Returns the ids finished.
   */
  async finishStranded(now: Date = new Date()): Promise<string[]> {
    const rows = this.ports.store.raw
      .prepare(
        `SELECT p.session_id, p.stage, p.exam_id FROM candidate_progress p JOIN sessions s ON s.id = p.session_id
         WHERE p.stage != 'finish' AND s.status = 'in_progress'`,
      )
      .all() as { session_id: string; stage: string; exam_id: string }[];
    const finished: string[] = [];
    for (const row of rows) {
      if (this.live.get(row.session_id)?.flow) continue; // running in this process
      // Sealed until reopened: offline, the session waits for its candidate (and the start code).
      const exam = await this.reopen(row.exam_id).then(
        () => cachedExam(this.ports.store, row.exam_id),
        () => undefined,
      );
      if (!exam || !planResume(this.ports.store, row.session_id, exam.policy, now).expired) continue;
      if (row.stage === 'interview') await this.resumeAfterRestart(this.liveSession(row.session_id), now);
      else await this.finish(row.session_id, undefined, 'abandoned');
      finished.push(row.session_id);
    }
    return finished;
  }

  finishProgress(sessionId: string): FinishProgress {
    return finishProgress(this.ports, this.progress(sessionId));
  }

  async close(): Promise<void> {
    // Interviews still open stay open (resumed at the next start), but their timers stop now.
    for (const live of this.live.values()) live.flow?.detach();
    for (const live of this.live.values()) await live.evidence?.close();
    for (const live of this.live.values()) await live.proctor.end().catch(() => undefined);
    this.live.clear();
  }

  // ---- Internals -----------------------------------------------------------------------------

  /** An upgrade dropped the plaintext cache: enrolled exams come back sealed when online. */
  private async refetchMissing(): Promise<void> {
    try {
      const { store, tokens } = this.ports;
      await refetchMissingExams({ store, vaults: tokens, channel: await this.ports.central() });
    } catch (error) {
      this.ports.logger.warn({ err: error }, 'could not fetch an enrolled exam again');
    }
  }

  private async refreshReachability(): Promise<void> {
    const value = await this.ports.pingCentral().catch(() => false);
    this.reachable = { value, checkedAt: new Date().toISOString() };
  }

  private exam(examId: string): CachedExam {
    const exam = cachedExam(this.ports.store, examId);
    if (exam) return exam;
    if (!cachedExamInfo(this.ports.store, examId))
      throw new VigilError('NOT_FOUND', 'This exam is not enrolled on this device.', { examId });
    throw new VigilError(
      'NOT_READY',
      'This exam is sealed on this computer until it starts: connect to the internet and open it again, or ask your proctor for the start code.',
      { examId, reason: 'exam_sealed' },
    );
  }

  /**
   * A session started before this process (a restart, a crash) needs its exam opened again: with
   * the key the server releases, when it is reachable. Offline the exam stays sealed and the call
   * that needs it says so (see exam()).
   */
  private async reopen(examId: string): Promise<void> {
    if (cachedExam(this.ports.store, examId)) return;
    try {
      await openExamForStart(this.ports, examId);
    } catch (error) {
      // A tampered cache is the candidate's to hear about; unreachable leaves exam() to explain.
      if (error instanceof VigilError && error.code === 'INTEGRITY') throw error;
      this.ports.logger.warn({ err: error, examId }, 'the exam could not be opened again');
    }
  }

  private progress(sessionId: string): Progress {
    const progress = getProgress(this.ports.store, sessionId);
    if (!progress) throw new VigilError('NOT_FOUND', 'No such session on this device.', { sessionId });
    return progress;
  }

  /** The running session; its progress row is read once, when this process first sees the session. */
  private liveSession(sessionId: string, progress?: Progress): Live {
    let live = this.live.get(sessionId);
    if (!live) {
      const known = progress ?? this.progress(sessionId);
      const exam = this.exam(known.examId);
      const { store, snapshotsDir, logger } = this.ports;
      live = {
        sessionId,
        exam,
        proctor: new SessionProctor({
          policy: this.ports.policyFor(exam),
          analyzer: this.ports.analyzer,
          recorder: new WarningRecorder({ store, sessionId, snapshotsDir, logger }),
          onWarning: (event) => this.notify(sessionId, event),
          onRateChange: (change) => {
            // Evidence of how the session was analysed; a failed write must not drop the frame.
            try {
              store.write('analysis rate', (tx) =>
                appendEvent(tx, { sessionId, kind: 'analysis_rate', data: change }),
              );
            } catch (error) {
              logger.warn({ err: error, sessionId }, 'could not chain the analysis rate');
            }
          },
        }),
      };
      // A finished session is not running: a late frame must not keep it (and the lockdown) alive.
      if (known.stage !== 'finish') this.live.set(sessionId, live);
    }
    return live;
  }

  private requireFlow(sessionId: string): InterviewSessionFlow {
    const flow = this.liveSession(sessionId).flow;
    if (!flow) throw new VigilError('CONFLICT', 'The interview has not started.', { sessionId });
    return flow;
  }

  /** Records the break in the evidence chain; proctoring pauses for it and resumes after it. */
  private onBreak(live: Live, event: BreakEvent): void {
    recordBreak(this.ports.store, live.sessionId, event);
    // The candidate may leave the window during a break: a focus loss open now ends at the break.
    if (event.kind === 'started') {
      live.focus?.finish(Date.now());
      live.focus = undefined;
    }
    const step = event.kind === 'started' ? live.proctor.pause() : live.proctor.resume();
    step.catch((error: unknown) =>
      this.ports.logger.warn({ err: error, break: event.kind }, 'proctoring could not follow the break'),
    );
  }

  /** What the candidate is told while a warning is active (only what they can fix). */
  private notify(sessionId: string, event: WarningEvent): void {
    const message = noticeFor(event.warning.type);
    if (!message) return;
    this.ports.emit('candidateNotice', {
      sessionId,
      key: event.warning.type,
      active: event.kind === 'raised',
      message,
    });
  }
}
