// The candidate's session from enrollment to receipt. It ties the services together — local store and
// outbox, central enrollment, on-device analysis, recording, the interview flow and the work after
// the session — and keeps the flow's stage in SQLite so a reload or a restart resumes where it was.
// Every step writes locally first; nothing here waits for the network except enrollment.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {
  CallResponse,
  CandidateExam,
  EventName,
  EventPayload,
  FinishProgress,
  InterviewState,
} from '../../src-preload/contract';
import type { DeviceChannel } from '../central/device-channel';
import { VigilError } from '../errors';
import type { BreakEvent, InterviewSessionFlow, SessionState } from '../interview/session-flow';
import type { Logger } from '../log/logger';
import { decodeImage } from '../proctoring/decode-image';
import type { FaceAnalyzer } from '../proctoring/face-analyzer';
import type { ProctoringPolicy } from '../proctoring/policy';
import { riskScore } from '../proctoring/risk-score';
import { ProctoringSession } from '../proctoring/session';
import type { IdVerificationResult, ProctoringWarning, WarningEvent, WarningType } from '../proctoring/types';
import { examLockdownPort, onLockdownWarning } from '../lockdown/port';
import type { LockdownWarning, LockdownWarningType } from '../lockdown/types';
import { registerBlob } from '../store/blob-uploads';
import { cacheExam, cachedExam, type CachedExam } from '../store/exam-cache';
import type { TokenVault } from '../store/device-credentials';
import { loadDevice, saveDevice } from '../store/device';
import { appendEvent, verifyChain } from '../store/event-chain';
import type { LocalStore } from '../store/local-store';
import { outboxCounts } from '../store/outbox';
import { addSnapshot, finishSession, recordWarning, startSession } from '../store/sessions';
import { enrolledCandidateName } from '../sync/enroll';
import {
  createProgress,
  getProgress,
  unfinishedProgress,
  updateProgress,
  type FinishState,
  type Progress,
} from './candidate-progress';
import { accommodationRecord, answerModeOf } from './exam-options';
import { noticeFor } from './notices';
import { recordBreak, storeSpokenAnswer, type SpokenAnswerInput } from './interview-extras';
import { beginExamEvidence, type ExamEvidence, type ExamEvidencePorts } from './session-evidence';
import { systemCheck } from './system-check';

type Overview = CallResponse<'candidateOverview'>;
export type IdCheck = IdVerificationResult & { liveEmbedding: number[] | null };

/** What the candidate service needs from the rest of the app. */
export interface CandidatePorts {
  store: LocalStore;
  tokens: TokenVault;
  /** The central server as a device sees it; throws UNAVAILABLE when unreachable. */
  central: () => Promise<DeviceChannel>;
  /** Refuses an exam whose central definition requires a newer app (UPDATE_REQUIRED, with how to update). */
  versionGate: (exam: CachedExam) => void;
  /** Quick reachability check of the central server (bounded in time). */
  pingCentral: () => Promise<boolean>;
  analyzer: () => Promise<FaceAnalyzer>;
  analysisReady: () => { ok: boolean; detail: string };
  policyFor: (exam: CachedExam) => ProctoringPolicy;
  /** OCR, MRZ and face match of the ID card against the live frame (with the live face's embedding). */
  verifyId: (card: Uint8Array, live: Uint8Array) => Promise<IdCheck>;
  /**
   * Starts the interview flow (its questions planned first, generated ones included when the exam
   * asks for them); hooks.onBreak is called when a break starts or ends.
   */
  startInterview: (
    sessionId: string,
    exam: CachedExam,
    hooks: { onBreak: (event: BreakEvent) => void },
  ) => Promise<InterviewSessionFlow>;
  /** The flow of an interview that was running when the app stopped, rebuilt from the store; null if none. */
  resumeInterview: (
    sessionId: string,
    hooks: { onBreak: (event: BreakEvent) => void },
  ) => InterviewSessionFlow | null;
  freeBytes: () => Promise<number>;
  /** Runs merge check, evaluation and report for a finished session; updates the finish state. */
  afterSession: (sessionId: string, update: (patch: FinishState) => void) => Promise<void>;
  /** Pending receipts from the uploader (the sync status), and a nudge to send now. */
  syncNow: () => void;
  receiptsFor: (sessionId: string) => number;
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
  snapshotsDir: string;
  configuredFps: number;
  bitsPerSecond: number;
  logger: Logger;
  /** App build and lockdown detectors for the start evidence (session-evidence.ts). */
  evidence: ExamEvidencePorts;
}

interface Live {
  sessionId: string;
  exam: CachedExam;
  policy: ProctoringPolicy;
  flow?: InterviewSessionFlow;
  proctoring?: ProctoringSession;
  evidence?: ExamEvidence;
  interviewStartedAt: number;
  warningIds: Map<string, string>;
  lastFaces: number | null;
  /** Warnings of proctoring sessions ended by a break (the risk score counts them all). */
  pastWarnings: ProctoringWarning[];
  /** Proctoring sessions started so far: warning ids are only unique within one. */
  generation: number;
}

/** How long the evaluation waits for spoken answers still being transcribed when a session ends. */
const TRANSCRIPT_WAIT_MS = 120_000;

/** Lockdown violations that the proctoring rules weigh; the others are stored as they come. */
const lockdownToProctoring: Partial<Record<LockdownWarningType, WarningType>> = {
  focus_lost: 'focus_lost',
  display_added: 'display_added',
  multiple_displays: 'display_added',
  blocked_process: 'blocked_process',
  vm_detected: 'vm_detected',
};

export class CandidateService {
  private readonly live = new Map<string, Live>();
  private reachable = { value: false, checkedAt: new Date(0).toISOString() };
  private readonly unsubscribeLockdown: () => void;

  constructor(private readonly ports: CandidatePorts) {
    this.unsubscribeLockdown = onLockdownWarning((warning) => this.onLockdownWarning(warning));
  }

  // ---- Enrollment and exams ------------------------------------------------------------------

  async overview(): Promise<Overview> {
    await this.refreshReachability();
    const { store } = this.ports;
    const device = loadDevice(store);
    const exams = device ? this.cachedExams().map((exam) => this.describe(exam)) : [];
    const unfinished = unfinishedProgress(store);
    const finishing = store.raw
      .prepare(
        `SELECT session_id, exam_id FROM candidate_progress WHERE stage = 'finish'
         AND json_extract(finish_state, '$.report') IS NOT 'done' ORDER BY consented_at DESC LIMIT 1`,
      )
      .get() as { session_id: string; exam_id: string } | undefined;
    const active = unfinished
      ? { sessionId: unfinished.sessionId, examId: unfinished.examId, stage: unfinished.stage }
      : finishing
        ? { sessionId: finishing.session_id, examId: finishing.exam_id, stage: 'finish' as const }
        : null;
    return {
      enrolled: !!device,
      candidateName: device ? this.candidateName() : null,
      exams,
      activeSession: active,
      central: { reachable: this.reachable.value, checkedAt: this.reachable.checkedAt },
    };
  }

  async enroll(code: string): Promise<Overview> {
    let central: DeviceChannel;
    try {
      central = await this.ports.central();
    } catch (error) {
      throw new VigilError(
        'UNAVAILABLE',
        'Enrollment needs a connection to your institution’s server. Try again when you are online.',
        undefined,
        { cause: error },
      );
    }
    const redemption = await central.redeem(code, `${os.hostname()} (${process.platform})`);
    const exam = await central.fetchExam(redemption.token);
    this.ports.tokens.save(redemption.token);
    this.ports.store.write('enroll', (tx) => {
      cacheExam(tx, exam);
      saveDevice(tx, {
        deviceId: redemption.deviceId,
        candidateId: redemption.candidateId,
        examId: redemption.examId,
        tokenStorage: 'file',
        enrolledAt: new Date().toISOString(),
        expiresAt: redemption.expiresAt,
      });
    });
    this.ports.logger.info({ deviceId: redemption.deviceId, examId: redemption.examId }, 'device enrolled');
    return this.overview();
  }

  // ---- Consent and checks --------------------------------------------------------------------

  consent(examId: string): { sessionId: string; consentedAt: string } {
    const exam = this.exam(examId);
    this.ports.versionGate(exam); // before anything is recorded
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

  async systemCheck(input: {
    sessionId: string;
    camera: { ok: boolean; label: string };
    microphone: { ok: boolean; label: string; peakDb: number };
    displays: number;
    cpuProbeMs: number;
  }): Promise<CallResponse<'candidateSystemCheck'>> {
    const progress = this.progress(input.sessionId);
    const exam = this.exam(progress.examId);
    await this.refreshReachability();
    const totalS = exam.keyQuestions.reduce((sum, q) => sum + q.time_limit_s, 0) + 600;
    const result = systemCheck({
      camera: input.camera,
      microphone: input.microphone,
      displays: input.displays,
      freeBytes: await this.ports.freeBytes(),
      neededBytes: Math.ceil((totalS * this.ports.bitsPerSecond) / 8) + 200 * 2 ** 20,
      centralReachable: this.reachable.value,
      offlineReady: true,
      cpuProbeMs: input.cpuProbeMs,
      analysisReady: this.ports.analysisReady(),
      configuredFps: this.ports.configuredFps,
    });
    this.ports.store.write('system check', (tx) => {
      appendEvent(tx, {
        sessionId: input.sessionId,
        kind: 'system_check',
        data: {
          passed: result.passed,
          items: result.items.map((i) => ({ id: i.id, status: i.status, detail: i.detail })),
        },
        at: new Date().toISOString(),
      });
      if (result.passed && progress.stage === 'system_check') {
        updateProgress(tx, input.sessionId, { stage: 'id_verification', analysisFps: result.analysisFps });
      }
    });
    return result;
  }

  async verifyId(
    sessionId: string,
    card: Uint8Array,
    live: Uint8Array,
  ): Promise<CallResponse<'candidateVerifyId'>> {
    const progress = this.progress(sessionId);
    if (progress.stage === 'system_check') {
      throw new VigilError('CONFLICT', 'Finish the system check before the ID check.');
    }
    let result: IdCheck;
    try {
      result = await this.ports.verifyId(card, live);
    } catch (error) {
      // Never leave a candidate stuck: a check that cannot run becomes "needs review" with the reason.
      this.ports.logger.warn({ err: error }, 'ID verification failed');
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
    const file = this.writeJpeg(sessionId, `id-card-${Date.now()}.jpg`, card);
    this.ports.store.write('id verification', (tx) => {
      registerBlob(tx, {
        id: randomUUID(),
        sessionId,
        kind: 'id_image',
        path: file.path,
        sha256: file.sha256,
        size: file.bytes,
        contentType: 'image/jpeg',
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
      updateProgress(tx, sessionId, {
        idDecision: result.decision,
        referenceEmbedding: result.liveEmbedding,
      });
    });
    return {
      decision: result.decision,
      reasons: result.reasons,
      fields: {
        name: fields.name ?? null,
        documentNumber: fields.documentNumber ?? null,
        dateOfBirth: fields.dateOfBirth ?? null,
        expiry: fields.expiry ?? null,
      },
      faceMatch,
    };
  }

  // ---- Interview -----------------------------------------------------------------------------

  async beginInterview(sessionId: string): Promise<InterviewState> {
    const progress = this.progress(sessionId);
    if (progress.stage === 'system_check') throw new VigilError('CONFLICT', 'Finish the system check first.');
    const live = await this.liveSession(sessionId, progress);
    if (!live.flow) {
      const target = live;
      const flow = await this.ports.startInterview(sessionId, live.exam, {
        onBreak: (event) => this.onBreak(target, event),
      });
      // Another call started it while the questions were planned: theirs is the interview.
      if (live.flow) return this.interviewState(sessionId);
      live.flow = flow;
      live.interviewStartedAt = Date.now();
      this.ports.store.write('interview started', (tx) => {
        updateProgress(tx, sessionId, { stage: 'interview' });
        appendEvent(tx, {
          sessionId,
          kind: 'interview_started',
          // The accommodation the candidate had (extra time, breaks, detector profile), for reviewers.
          data: { accommodation: accommodationRecord(live.exam.policy) },
          at: new Date().toISOString(),
        });
      });
      // Kiosk, content protection, shortcut and clipboard guards: only the desktop shell can; in the
      // browser (headless host) the chain records that lockdown was not available. Either way the
      // chain gets the app build, the policy hash and every lockdown check.
      live.evidence = await beginExamEvidence({
        store: this.ports.store,
        sessionId,
        lockdownInput: live.exam.policy.lockdown,
        proctoringPolicy: live.policy,
        ports: this.ports.evidence,
        logger: this.ports.logger,
      });
    }
    return this.interviewState(sessionId);
  }

  async interviewState(sessionId: string): Promise<InterviewState> {
    const live = await this.liveSession(sessionId, this.progress(sessionId));
    if (!live.flow) {
      throw new VigilError(
        'CONFLICT',
        'This interview was interrupted when Vigil stopped. Its answers are saved; finish the session to send them.',
        { sessionId },
      );
    }
    return this.toInterviewState(live, live.flow.tick());
  }

  async saveDraft(sessionId: string, questionId: string, text: string): Promise<{ savedAt: string }> {
    const live = await this.requireFlow(sessionId);
    live.flow.saveDraft(questionId, text);
    return { savedAt: new Date().toISOString() };
  }

  async submitAnswer(
    sessionId: string,
    questionId: string,
    text: string,
    thenBreak?: boolean,
  ): Promise<InterviewState> {
    const live = await this.requireFlow(sessionId);
    return this.toInterviewState(live, live.flow.submit(questionId, text, { thenBreak }));
  }

  /** A spoken answer's audio: stored, linked to its answer, queued for upload, then transcribed. */
  async submitSpokenAnswer(sessionId: string, input: SpokenAnswerInput): Promise<InterviewState> {
    const live = await this.requireFlow(sessionId);
    const state = storeSpokenAnswer(this.ports.store, live.flow, sessionId, input);
    return this.toInterviewState(live, state);
  }

  /** The candidate is back from a break: the next question starts now. */
  async endBreak(sessionId: string): Promise<InterviewState> {
    const live = await this.requireFlow(sessionId);
    return this.toInterviewState(live, live.flow.endBreak());
  }

  async frame(input: { sessionId: string; jpeg: Uint8Array; width: number; height: number }) {
    const live = await this.liveSession(input.sessionId, this.progress(input.sessionId));
    // During a break nothing is analysed: the candidate may leave the camera.
    if (isOnBreak(live)) return { accepted: false, recommendedFps: live.policy.frames.fps, faces: null };
    const timestampMs = Date.now() - live.interviewStartedAt;
    const frame = await decodeImage(input.jpeg, { maxSide: 640, timestampMs });
    if (live.proctoring && live.flow) {
      const status = live.proctoring.submitFrame(frame);
      return { accepted: true, recommendedFps: status.recommendedFps, faces: live.lastFaces };
    }
    // Before the interview (system check): analyse now for the live preview, raise no warnings.
    const observation = await (await this.ports.analyzer()).analyze(frame, { gaze: false, embedding: false });
    live.lastFaces = observation.faces.length;
    return { accepted: true, recommendedFps: live.policy.frames.fps, faces: live.lastFaces };
  }

  async audio(
    sessionId: string,
    frames: { timestampMs: number; levelDb: number; voiceProbability: number; trackLive: boolean }[],
  ) {
    const live = await this.liveSession(sessionId, this.progress(sessionId));
    if (!live.proctoring || isOnBreak(live)) return { accepted: 0 };
    const base = Date.now() - live.interviewStartedAt - (frames.at(-1)?.timestampMs ?? 0);
    for (const f of frames)
      live.proctoring.submitAudio({ ...f, timestampMs: Math.max(0, base + f.timestampMs) });
    return { accepted: frames.length };
  }

  // ---- Finish --------------------------------------------------------------------------------

  async finish(
    sessionId: string,
    recordingId: string | undefined,
    recordingError?: string,
  ): Promise<FinishProgress> {
    const progress = this.progress(sessionId);
    if (progress.stage !== 'finish') {
      const live = this.live.get(sessionId);
      let risk: number | undefined;
      let transcripts: Promise<void> | undefined;
      await live?.evidence?.close(); // the start's checks belong before the session's end
      if (live) {
        if (live.flow && live.flow.state().status !== 'ended') live.flow.end();
        transcripts = live.flow?.idle();
        if (live.proctoring) {
          const endMs = Date.now() - live.interviewStartedAt;
          const warnings = await live.proctoring.end(endMs);
          risk = riskScore([...live.pastWarnings, ...warnings], live.policy, { sessionEndMs: endMs }).score;
        } else if (live.pastWarnings.length > 0) {
          const endMs = Date.now() - live.interviewStartedAt;
          risk = riskScore(live.pastWarnings, live.policy, { sessionEndMs: endMs }).score;
        }
      }
      this.ports.store.write('session finished', (tx) => {
        if (recordingError) {
          appendEvent(tx, {
            sessionId,
            kind: 'recording_stop_failed',
            data: { recordingId, reason: recordingError },
          });
        }
        finishSession(tx, {
          sessionId,
          status: 'completed',
          ...(risk !== undefined ? { riskScore: risk } : {}),
        });
        updateProgress(tx, sessionId, {
          stage: 'finish',
          recordingId: recordingId ?? progress.recordingId,
          finish: { recording: recordingId ? 'done' : 'waiting', evaluation: 'waiting', report: 'waiting' },
        });
      });
      this.live.delete(sessionId);
      if (this.live.size === 0) examLockdownPort()?.exit();
      this.runAfterSession(sessionId, transcripts);
    }
    return this.finishProgress(sessionId);
  }

  /** Resumes the work after sessions that were finished but not fully processed (at start-up). */
  resumeAfterSessions(sessionIds: string[]): void {
    for (const id of sessionIds) this.runAfterSession(id);
  }

  finishProgress(sessionId: string): FinishProgress {
    const { store } = this.ports;
    const progress = this.progress(sessionId);
    const counts = outboxCounts(store);
    const chain = verifyChain(store, sessionId);
    const f = progress.finish;
    const item = (
      id: string,
      label: string,
      state: FinishState['report'] | FinishState['evaluation'],
      detail: string | undefined,
      fallback: string,
    ) => ({
      id,
      label,
      state: state ?? 'waiting',
      detail: detail ?? fallback,
    });
    const pendingBlobs = store.raw
      .prepare(
        `SELECT count(*) AS n, coalesce(sum(size - uploaded_bytes), 0) AS bytes FROM blob_uploads WHERE status = 'pending'`,
      )
      .get() as { n: number; bytes: number };
    return {
      sessionId,
      items: [
        item(
          'recording',
          'Recording',
          f.recording === 'failed' ? 'failed' : f.recording === 'done' ? 'done' : 'working',
          f.recordingDetail,
          'saved on this computer',
        ),
        item('evaluation', 'Evaluation', f.evaluation, f.evaluationDetail, 'waiting'),
        item('report', 'Report', f.report, f.reportDetail, 'waiting for the evaluation'),
      ],
      upload: {
        pendingItems: counts.pendingItems + pendingBlobs.n,
        pendingBytes: counts.pendingBytes + pendingBlobs.bytes,
        receipts: this.ports.receiptsFor(sessionId),
      },
      receipt: chain.ok ? { sessionId, chainHash: this.chainHead(sessionId), events: chain.events } : null,
      canClose: true,
    };
  }

  async close(): Promise<void> {
    this.unsubscribeLockdown();
    for (const live of this.live.values()) await live.evidence?.close();
    for (const live of this.live.values()) await live.proctoring?.end().catch(() => []);
    this.live.clear();
  }

  /** A lockdown violation from the shell joins the proctoring rules of every interview running. */
  private onLockdownWarning(warning: LockdownWarning): void {
    for (const live of this.live.values()) {
      if (!live.flow) continue;
      const type = lockdownToProctoring[warning.type];
      // A break is the candidate's own time: leaving the window then is not a violation.
      if (type && isOnBreak(live)) continue;
      const startMs = Date.parse(warning.startedAt) - live.interviewStartedAt;
      if (type && live.proctoring) {
        live.proctoring.recordViolation({
          type,
          startMs: Math.max(0, startMs),
          endMs: Math.max(0, startMs + warning.durationMs),
          confidence: warning.confidence,
          detector: 'lockdown',
          details: { ...warning.details, lockdownType: warning.type },
        });
      } else {
        this.ports.store.write('lockdown warning', (tx) =>
          recordWarning(tx, {
            sessionId: live.sessionId,
            type: warning.type,
            severity: warning.severity,
            startedAt: warning.startedAt,
            endedAt: warning.endedAt,
            confidence: warning.confidence,
            details: { ...warning.details, detector: 'lockdown' },
          }),
        );
      }
    }
  }

  // ---- Internals -----------------------------------------------------------------------------

  private chainHead(sessionId: string): string {
    const row = this.ports.store.raw
      .prepare('SELECT chain_head FROM sessions WHERE id = ?')
      .get(sessionId) as { chain_head: Buffer | null } | undefined;
    return Buffer.from(row?.chain_head ?? Buffer.alloc(32)).toString('hex');
  }

  /** Evaluation and report wait (boundedly) for spoken answers still being transcribed. */
  private runAfterSession(sessionId: string, transcripts?: Promise<void>): void {
    const update = (patch: FinishState) =>
      this.ports.store.write('after-session progress', (tx) =>
        updateProgress(tx, sessionId, { finish: patch }),
      );
    const ready = transcripts
      ? Promise.race([
          transcripts.catch(() => undefined),
          new Promise<void>((resolve) => setTimeout(resolve, TRANSCRIPT_WAIT_MS).unref()),
        ])
      : Promise.resolve();
    void ready
      .then(() => this.ports.afterSession(sessionId, update))
      .catch((error: unknown) =>
        this.ports.logger.error({ err: error, sessionId }, 'after-session work failed'),
      )
      .finally(() => this.ports.syncNow());
  }

  private async refreshReachability(): Promise<void> {
    const value = await this.ports.pingCentral().catch(() => false);
    this.reachable = { value, checkedAt: new Date().toISOString() };
  }

  private cachedExams(): CachedExam[] {
    const rows = this.ports.store.raw.prepare('SELECT id FROM cached_exams ORDER BY fetched_at').all() as {
      id: string;
    }[];
    return rows.map((r) => cachedExam(this.ports.store, r.id)).filter((e): e is CachedExam => !!e);
  }

  private candidateName(): string | null {
    return enrolledCandidateName(this.ports.store);
  }

  private describe(exam: CachedExam): CandidateExam {
    const accommodations = Array.isArray(exam.policy.accommodations)
      ? (exam.policy.accommodations as string[])
      : [];
    return {
      id: exam.id,
      title: exam.title,
      type: exam.type,
      difficulty: exam.difficulty,
      questionCount: exam.keyQuestions.length,
      totalTimeS: exam.keyQuestions.reduce((sum, q) => sum + q.time_limit_s, 0),
      uploadMode: exam.uploadMode,
      retentionDays: exam.retentionDays,
      offlineReady: exam.keyQuestions.length > 0,
      accommodations,
    };
  }

  private exam(examId: string): CachedExam {
    const exam = cachedExam(this.ports.store, examId);
    if (!exam) throw new VigilError('NOT_FOUND', 'This exam is not enrolled on this device.', { examId });
    return exam;
  }

  private progress(sessionId: string): Progress {
    const progress = getProgress(this.ports.store, sessionId);
    if (!progress) throw new VigilError('NOT_FOUND', 'No such session on this device.', { sessionId });
    return progress;
  }

  private async liveSession(sessionId: string, progress: Progress): Promise<Live> {
    let live = this.live.get(sessionId);
    if (!live) {
      const exam = this.exam(progress.examId);
      live = {
        sessionId,
        exam,
        policy: this.ports.policyFor(exam),
        interviewStartedAt: Date.now(),
        warningIds: new Map(),
        lastFaces: null,
        pastWarnings: [],
        generation: 0,
      };
      this.live.set(sessionId, live);
    }
    if (progress.stage === 'interview' || (live.flow && !live.proctoring)) {
      if (!live.proctoring && live.flow && !isOnBreak(live)) {
        const analyzer = await this.ports.analyzer();
        const target = live;
        const generation = ++live.generation;
        live.proctoring = new ProctoringSession({
          policy: live.policy,
          analyzer,
          sink: (event) => this.onWarning(target, event, generation),
          referenceEmbedding: progress.referenceEmbedding,
          onObservation: (o) => (target.lastFaces = o.faces.length),
        });
      }
    }
    return live;
  }

  private async requireFlow(sessionId: string): Promise<Live & { flow: InterviewSessionFlow }> {
    const live = await this.liveSession(sessionId, this.progress(sessionId));
    if (!live.flow) throw new VigilError('CONFLICT', 'The interview has not started.', { sessionId });
    return live as Live & { flow: InterviewSessionFlow };
  }

  private toInterviewState(live: Live, state: SessionState): InterviewState {
    return {
      sessionId: live.sessionId,
      examTitle: live.exam.title,
      // During a break there is no current question, yet the interview goes on.
      done: state.status === 'ended' || (state.current === null && !state.breaks?.active),
      question: state.current
        ? {
            id: state.current.id,
            index: state.current.index,
            total: state.total,
            text: state.current.text,
            timeLimitS: state.current.timeLimitS,
            remainingMs: state.current.remainingMs,
            draft: state.current.draft,
            answerMode: answerModeOf(live.exam.policy, state.current.index),
            baseTimeLimitS: state.current.baseTimeLimitS,
          }
        : null,
      accommodation: state.accommodation,
      breaks: state.breaks,
    };
  }

  /** Records the break in the evidence chain; proctoring stops for it and restarts after it. */
  private onBreak(live: Live, event: BreakEvent): void {
    recordBreak(this.ports.store, live.sessionId, event);
    const proctoring = live.proctoring;
    if (event.kind === 'started' && proctoring) {
      live.proctoring = undefined;
      const endMs = Date.now() - live.interviewStartedAt;
      void proctoring
        .end(endMs)
        .then((warnings) => live.pastWarnings.push(...warnings))
        .catch((error: unknown) =>
          this.ports.logger.warn({ err: error }, 'proctoring could not pause for a break'),
        );
    }
  }

  private onWarning(live: Live, event: WarningEvent, generation: number): void {
    const warning: ProctoringWarning = event.warning;
    const at = (ms: number) => new Date(live.interviewStartedAt + ms).toISOString();
    const key = `${generation}:${warning.id}`;
    let id = live.warningIds.get(key);
    if (!id) {
      id = randomUUID();
      live.warningIds.set(key, id);
    }
    const warningId = id;
    const snapshot =
      event.kind === 'raised' && warning.snapshot
        ? this.writeJpeg(live.sessionId, `${warningId}.jpg`, warning.snapshot.jpeg)
        : undefined;
    try {
      this.ports.store.write('warning', (tx) => {
        recordWarning(tx, {
          id: warningId,
          sessionId: live.sessionId,
          type: warning.type,
          severity: warning.severity,
          startedAt: at(warning.startMs),
          endedAt: warning.endMs === null ? null : at(warning.endMs),
          confidence: warning.confidence,
          details: {
            ...warning.details,
            detector: warning.detector,
            modelVersions: warning.modelVersions,
            thresholds: warning.thresholds,
          },
        });
        if (snapshot) {
          addSnapshot(tx, {
            sessionId: live.sessionId,
            warningId,
            path: snapshot.path,
            sha256: snapshot.sha256,
            bytes: snapshot.bytes,
          });
        }
      });
    } catch (error) {
      this.ports.logger.error({ err: error, type: warning.type }, 'could not store a warning');
    }
    const message = noticeFor(warning.type);
    if (message) {
      this.ports.emit('candidateNotice', {
        sessionId: live.sessionId,
        key: warning.type,
        active: event.kind === 'raised',
        message,
      });
    }
  }

  /** Writes a JPEG durably (fsync) before it is referenced from SQLite. */
  private writeJpeg(sessionId: string, name: string, bytes: Uint8Array) {
    const dir = path.join(this.ports.snapshotsDir, sessionId);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    const fd = fs.openSync(file, 'w', 0o600);
    try {
      fs.writeSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return { path: file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  }
}

function isOnBreak(live: Live): boolean {
  return !!live.flow?.state().breaks?.active;
}
