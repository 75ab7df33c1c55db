// What the candidate's session needs from the rest of the app, built by the composition root
// (runtime.ts) and given fakes or fixed values by tests.
import type { EventName, EventPayload } from '../../src-preload/contract';
import type { DeviceChannel } from '../central/device-channel';
import type { BreakEvent, InterviewSessionFlow, ResumeOptions } from '../interview/session-flow';
import type { Logger } from '../log/logger';
import type { FaceAnalyzer } from '../proctoring/face-analyzer';
import type { ProctoringPolicy } from '../proctoring/policy';
import type { TokenVaults } from '../store/device-credentials';
import type { CachedExam } from '../store/exam-cache';
import type { LocalStore } from '../store/local-store';
import type { VersionBlockOf } from './candidate-overview';
import type { IdCheck } from './id-verification';
import type { ExamEvidencePorts } from './session-evidence';
import type { SystemCheckDeps } from './system-check-step';

/** What the candidate service needs from the rest of the app. */
export interface CandidatePorts extends SystemCheckDeps {
  store: LocalStore;
  /** The token vault of each enrollment (one per exam). */
  tokens: TokenVaults;
  /** The central server as a device sees it; throws UNAVAILABLE when unreachable. */
  central: () => Promise<DeviceChannel>;
  /** Refuses an exam whose central definition requires a newer app (UPDATE_REQUIRED, with how to update). */
  versionGate: (exam: CachedExam) => void;
  /** The same rule for the exam list, before consent: why this app cannot start the exam, or null. */
  versionBlock: VersionBlockOf;
  /** Quick reachability check of the central server (bounded in time). */
  pingCentral: () => Promise<boolean>;
  analyzer: () => Promise<FaceAnalyzer>;
  analysisReady: () => { ok: boolean; detail: string };
  policyFor: (exam: CachedExam) => ProctoringPolicy;
  /** OCR, MRZ and face match of the ID card against the live frame (with the live face's embedding). */
  verifyId: (card: Uint8Array, live: Uint8Array) => Promise<IdCheck>;
  /** Starts the interview flow; hooks.onBreak is called when a break starts or ends. */
  startInterview: (
    sessionId: string,
    exam: CachedExam,
    hooks: { onBreak: (event: BreakEvent) => void },
  ) => Promise<InterviewSessionFlow>;
  /** The flow of an interview that was running when the app stopped, rebuilt from the store; null if none. */
  resumeInterview: (
    sessionId: string,
    hooks: { onBreak: (event: BreakEvent) => void },
    options: ResumeOptions,
  ) => InterviewSessionFlow | null;
  freeBytes: () => Promise<number>;
  /** Upload receipts for a session so far (the finish screen). */
  receiptsFor: (sessionId: string) => number;
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void;
  snapshotsDir: string;
  configuredFps: number;
  bitsPerSecond: number;
  logger: Logger;
  /** App build and lockdown detectors for the start evidence (session-evidence.ts). */
  evidence: ExamEvidencePorts;
}
