// The one IPC contract between the renderer and main. Pure: zod only, no node/electron/DOM imports,
// so the Electron preload, the WebSocket bridge, main's dispatcher and the tests all share it.
import { z } from 'zod';
import {
  candidateInterviewExtras,
  candidateQuestionExtras,
  MAX_SPOKEN_ANSWER_BYTES,
  SPOKEN_ANSWER_REQUEST_BYTES,
} from './contract-interview';
import { aboutSettingsCalls } from './contract-about';
import { consoleCalls } from './contract-console';
import { ExamTypeSchema } from './vocabulary';

/** Error codes every transport can return instead of a response. */
export const errorCodes = [
  'BAD_REQUEST', // request failed its schema
  'UNKNOWN_CALL', // no such call in the contract
  'PAYLOAD_TOO_LARGE', // request larger than the call allows
  'FORBIDDEN', // sender not trusted (wrong frame, origin or token)
  'NOT_READY', // the app cannot serve this now (e.g. configuration invalid)
  'CONFIG_INVALID',
  'CONFLICT',
  'NOT_FOUND',
  'UNAVAILABLE', // a dependency (server, disk, binary) is not reachable
  'MEDIA_INVALID', // a recording segment is corrupt or truncated, or a merged file failed its check
  'UPDATE_REQUIRED', // this app version is below what the exam requires
  'INTERNAL', // a bug: the handler threw something unexpected or broke its own response schema
  'TRANSPORT', // the connection to main failed (bridge side only)
  'DISK_FULL', // the local disk (or the database's size limit) is full: nothing was written
  'STORAGE_BUSY', // another process holds the local database: nothing was written, retry
  'INTEGRITY', // data failed a hash or integrity check (chunk, blob, event chain, database file)
  'INVALID_DOCUMENT', // an uploaded resume or job listing is encrypted, corrupt, empty or of an unsupported type
  'QUOTA_EXCEEDED', // the central server's storage quota of this session or device is used up (details: used/limit)
  'REFUSED', // the exam's integrity gate refused this computer (details.checks: what was found, its evidence, what to do)
  'MANAGED', // the setting is managed by the organisation's IT policy (details.key): nobody on this computer can change it
] as const;
export const ErrorCodeSchema = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ContractErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  /** Structured facts the user or UI needs to act (field paths, file names, limits). */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ContractError = z.infer<typeof ContractErrorSchema>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: ContractError };

const ConfigIssueSchema = z.object({
  source: z.string(),
  key: z.string(),
  problem: z.string(),
});

export const AppInfoSchema = z.object({
  name: z.literal('Vigil'),
  version: z.string(),
  mode: z.enum(['electron', 'host']),
  platform: z.string(),
  /** Present when the configuration is invalid: the app then refuses to start an exam. */
  configIssues: z.array(ConfigIssueSchema),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const DoctorReportSchema = z.object({
  ok: z.boolean(),
  generatedAt: z.string(),
  checks: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      status: z.enum(['ok', 'warn', 'fail', 'skip']),
      summary: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
  exitCode: z.number().int(),
});
export type DoctorReportView = z.infer<typeof DoctorReportSchema>;
/** Default size limit for a request, in bytes. Calls that carry media raise it explicitly. */
export const DEFAULT_MAX_REQUEST_BYTES = 256 * 1024;
/** Size limit of one media chunk call: a 2 s timeslice at a high bitrate, base64-encoded on the host transport. */
export const MAX_MEDIA_CHUNK_BYTES = 8 * 1024 * 1024;

export const MediaRecordingIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

// No session and no upload mode: main files the recording under its own current session, with that
// exam's upload mode (src-main/session/recording-target.ts); `.strict()` refuses a request naming them.
export const MediaStartRequestSchema = z
  .object({
    /** MediaRecorder's mimeType, e.g. `video/webm;codecs=vp8,opus`. */
    mimeType: z.string().min(1).max(128),
    /** Expected length of the session, for the disk-space check before it starts. */
    expectedDurationS: z
      .number()
      .int()
      .min(1)
      .max(24 * 3600),
    /** Bitrate the recorder was asked for (video + audio), for the disk-space check. */
    bitsPerSecond: z.number().int().min(10_000).max(50_000_000).optional(),
    /** H.264/AAC MP4 instead of the default stream-copy WebM when the exam policy asks for it. */
    mp4: z.boolean().optional(),
  })
  .strict();

export const MediaChunkRequestSchema = z
  .object({
    recordingId: MediaRecordingIdSchema,
    /** Segment number given by mediaStart (a new MediaRecorder, e.g. after a renderer reload). */
    segment: z.number().int().min(0).max(100_000),
    /** Chunk number inside the segment, from 0, without gaps. */
    seq: z.number().int().min(0).max(10_000_000),
    /** Milliseconds of recording covered once this chunk is stored (renderer clock). */
    elapsedMs: z
      .number()
      .min(0)
      .max(48 * 3600 * 1000),
    bytes: z.instanceof(Uint8Array),
  })
  .strict();

export const MediaChunkAckSchema = z.object({
  segment: z.number().int(),
  seq: z.number().int(),
  /** Bytes of this segment that are on disk, fsync'd and recorded. */
  durableBytes: z.number().int(),
  freeBytes: z.number(),
  /** Set when the recorder must stop cleanly now (e.g. the disk is nearly full). */
  stop: z.enum(['disk_low']).nullable(),
});

export const MergedRecordingSchema = z.object({
  recordingId: z.string(),
  path: z.string(),
  format: z.enum(['webm', 'mp4']),
  durationS: z.number(),
  recordedS: z.number(),
  sizeBytes: z.number().int(),
  streams: z.array(z.object({ type: z.string(), codec: z.string() })),
});
export type MergedRecording = z.infer<typeof MergedRecordingSchema>;

interface CallSpec<Req extends z.ZodType, Res extends z.ZodType> {
  request: Req;
  response: Res;
  maxRequestBytes?: number;
  description: string;
}
function call<Req extends z.ZodType, Res extends z.ZodType>(spec: CallSpec<Req, Res>): CallSpec<Req, Res> {
  return spec;
}

// ---- Candidate flow -------------------------------------------------------------------------
const CandidateSessionIdSchema = z.string().uuid();

export const CandidateExamSchema = z.object({
  id: z.string(),
  title: z.string(),
  type: ExamTypeSchema,
  difficulty: z.number().int().min(1).max(10),
  questionCount: z.number().int(),
  totalTimeS: z.number().int(),
  uploadMode: z.enum(['full', 'flags_only']),
  retentionDays: z.number().int(),
  /** Every question and policy is cached (sealed) on this device and it can start with no network. */
  offlineReady: z.boolean(),
  /** The exam can start offline with the start code the proctor hands out (a field asks for it). */
  offlineStart: z.boolean(),
  /** When the server releases the exam (ISO time, server clock); null: whenever enrolled. */
  opensAt: z.string().nullable(),
  accommodations: z.array(z.string()),
  /**
   * Where the candidate stands with this exam on this device: ready to start, a session started
   * and not finished, a session finished, or the enrollment expired (enroll it again with a new code).
   */
  state: z.enum(['ready', 'in_progress', 'finished', 'expired']),
  enrollmentExpiresAt: z.string().nullable(),
  /**
   * The exam needs a newer Vigil than this one (its `minAppVersion`): why it cannot start and how to
   * update, shown at the exam list before consent. Null when this version may run it.
   */
  versionBlock: z.object({ required: z.string(), current: z.string(), message: z.string() }).nullable(),
});
export type CandidateExam = z.infer<typeof CandidateExamSchema>;

export const CandidateStageSchema = z.enum([
  'consent',
  'system_check',
  'id_verification',
  'interview',
  'finish',
]);
export type CandidateStage = z.infer<typeof CandidateStageSchema>;

export const CandidateOverviewSchema = z.object({
  enrolled: z.boolean(),
  candidateName: z.string().nullable(),
  exams: z.array(CandidateExamSchema),
  /** A session this device started and has not finished: the renderer resumes it. */
  activeSession: z
    .object({ sessionId: CandidateSessionIdSchema, examId: z.string(), stage: CandidateStageSchema })
    .nullable(),
  central: z.object({ reachable: z.boolean(), checkedAt: z.string() }),
});

export const CheckItemSchema = z.object({
  id: z.string(),
  label: z.string(),
  status: z.enum(['pass', 'warn', 'fail']),
  detail: z.string(),
  /** What the candidate can do about a warn or fail. */
  action: z.string().optional(),
  /** The facts behind a lockdown finding (source: value (what it matched)), shown with it. */
  evidence: z.array(z.string()).optional(),
});
export type CheckItem = z.infer<typeof CheckItemSchema>;

export const CandidateIdResultSchema = z.object({
  decision: z.enum(['verified', 'needs_review', 'rejected']),
  reasons: z.array(z.string()),
  fields: z.object({
    name: z.string().nullable(),
    documentNumber: z.string().nullable(),
    dateOfBirth: z.string().nullable(),
    expiry: z.string().nullable(),
  }),
  faceMatch: z.number().nullable(),
});

export const InterviewStateSchema = z.object({
  sessionId: CandidateSessionIdSchema,
  examTitle: z.string(),
  done: z.boolean(),
  question: z
    .object({
      id: z.string(),
      index: z.number().int(),
      total: z.number().int(),
      text: z.string(),
      timeLimitS: z.number().int(),
      remainingMs: z.number(),
      draft: z.string(),
      ...candidateQuestionExtras,
    })
    .nullable(),
  ...candidateInterviewExtras,
});
export type InterviewState = z.infer<typeof InterviewStateSchema>;

export const FinishProgressSchema = z.object({
  sessionId: CandidateSessionIdSchema,
  items: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      state: z.enum(['waiting', 'working', 'done', 'failed', 'queued_offline']),
      detail: z.string(),
    }),
  ),
  upload: z.object({
    pendingItems: z.number().int(),
    pendingBytes: z.number(),
    receipts: z.number().int(),
    /** Why this session's data cannot be sent now (its enrollment expired or was refused), if so. */
    heldReason: z.string().nullable(),
  }),
  receipt: z
    .object({ sessionId: CandidateSessionIdSchema, chainHash: z.string(), events: z.number().int() })
    .nullable(),
  /** The candidate may close the app: what remains resumes at the next start. */
  canClose: z.boolean(),
});
export type FinishProgress = z.infer<typeof FinishProgressSchema>;

/** A camera frame for analysis: a small JPEG, at most a few tens of kilobytes. */
export const MAX_FRAME_BYTES = 1024 * 1024;

/** The app update as the candidate sees it (src-main/update/update-controller.ts). */
export const UpdateStatusSchema = z.object({
  state: z.enum(['disabled', 'idle', 'checking', 'up-to-date', 'available', 'downloading', 'ready', 'error']),
  currentVersion: z.string(),
  /** The newer version found, downloading or downloaded. */
  version: z.string().nullable(),
  percent: z.number().min(0).max(100).nullable(),
  /** unsigned: refused by the publisher-signature check; corrupt: checksum mismatch; offline: no server. */
  error: z
    .object({ reason: z.enum(['unsigned', 'corrupt', 'offline', 'failed']), message: z.string() })
    .nullable(),
  /** Why updates are off (state disabled): IT pins the version, a development build, the host. */
  detail: z.string().nullable(),
  /** Nothing starts and no restart is offered while an exam is in progress on this device. */
  examInProgress: z.boolean(),
  /** "Restart to update" may be offered: an update is ready and no exam is in progress. */
  canRestart: z.boolean(),
  lastCheckedAt: z.string().nullable(),
  nextCheckAt: z.string().nullable(),
});
export type UpdateStatus = z.infer<typeof UpdateStatusSchema>;

export const calls = {
  getAppInfo: call({
    description: 'Name, version, transport mode and configuration problems of the running app.',
    request: z.object({}).strict(),
    response: AppInfoSchema,
  }),
  ping: call({
    description: 'Connection check; with emitEvent the reply is also pushed as a `pong` event.',
    request: z.object({ nonce: z.string().min(1).max(128), emitEvent: z.boolean().optional() }).strict(),
    response: z.object({ nonce: z.string(), receivedAt: z.string() }),
  }),
  checkExamReadiness: call({
    description: 'Whether an exam may start now, and if not, every blocker with what to do about it.',
    request: z.object({}).strict(),
    response: z.object({
      ready: z.boolean(),
      blockers: z.array(z.object({ check: z.string(), message: z.string() })),
    }),
  }),
  mediaStart: call({
    description:
      'Opens a recording for a session (or a new segment of it), after checking free disk space; returns the ids chunks must carry.',
    request: MediaStartRequestSchema,
    response: z.object({
      recordingId: MediaRecordingIdSchema,
      segment: z.number().int(),
      freeBytes: z.number(),
      /** Chunk length the recorder should use, in milliseconds. */
      timesliceMs: z.number().int(),
    }),
  }),
  mediaAppendChunk: call({
    description:
      "Appends one MediaRecorder chunk to its segment file; answers only once the bytes are fsync'd and recorded.",
    request: MediaChunkRequestSchema,
    response: MediaChunkAckSchema,
    maxRequestBytes: MAX_MEDIA_CHUNK_BYTES,
  }),
  mediaStop: call({
    description:
      'Ends a recording and merges its segments into one seekable file, checked by ffprobe (progress as mediaMergeProgress events).',
    request: z
      .object({
        recordingId: MediaRecordingIdSchema,
        /** Total recorded milliseconds measured by the renderer (MediaRecorder start to stop). */
        recordedMs: z
          .number()
          .min(0)
          .max(48 * 3600 * 1000),
        reason: z.enum(['finished', 'disk_low', 'device_lost', 'error']).optional(),
      })
      .strict(),
    response: MergedRecordingSchema,
  }),
  candidateOverview: call({
    description:
      'What this device knows for the candidate: enrollment, exams (cached for offline use), a session to resume.',
    request: z.object({}).strict(),
    response: CandidateOverviewSchema,
  }),
  candidateEnroll: call({
    description:
      'Redeems a one-time enrollment code: adds that exam (its own device token, its definition cached) next to the exams already enrolled, or refreshes it if it is one of them.',
    request: z.object({ code: z.string().min(4).max(64) }).strict(),
    response: CandidateOverviewSchema,
  }),
  candidateConsent: call({
    description:
      "Records the candidate's consent (with its time) before any capture; starts the session. Opens the sealed exam: online with the key the server releases while the exam is open, offline with the proctor's start code (NOT_READY with details.reason start_code_required asks for it).",
    request: z
      .object({
        examId: z.string().min(1).max(64),
        accepted: z.literal(true),
        startCode: z.string().max(64).optional(),
      })
      .strict(),
    response: z.object({ sessionId: CandidateSessionIdSchema, consentedAt: z.string() }),
  }),
  candidateSystemCheck: call({
    description:
      'Checks this machine for the exam: camera, microphone, disk, central server, CPU, and the integrity gate (virtual machine, remote session, forbidden programs, displays, virtual cameras) as the exam policy decides.',
    request: z
      .object({
        sessionId: CandidateSessionIdSchema,
        camera: z.object({ ok: z.boolean(), label: z.string().max(200) }),
        microphone: z.object({ ok: z.boolean(), label: z.string().max(200), peakDb: z.number() }),
        displays: z.number().int().min(0).max(16),
        /** Milliseconds a fixed workload took in the renderer: sets the analysis rate. */
        cpuProbeMs: z.number().min(0).max(60_000),
        /** enumerateDevices' labels, for the virtual-camera check (only the renderer can list them). */
        mediaDevices: z
          .array(
            z
              .object({
                kind: z.enum(['videoinput', 'audioinput', 'audiooutput']),
                label: z.string().max(200),
                deviceId: z.string().max(200).optional(),
              })
              .strict(),
          )
          .max(64)
          .optional(),
      })
      .strict(),
    response: z.object({
      items: z.array(CheckItemSchema),
      passed: z.boolean(),
      analysisFps: z.number(),
    }),
  }),
  candidateVerifyId: call({
    description: 'Reads the ID card (OCR, MRZ) and matches its photo to the live face.',
    request: z
      .object({
        sessionId: CandidateSessionIdSchema,
        card: z.instanceof(Uint8Array),
        live: z.instanceof(Uint8Array),
      })
      .strict(),
    response: CandidateIdResultSchema,
    maxRequestBytes: 12 * 1024 * 1024,
  }),
  candidateBeginInterview: call({
    description:
      'Moves the session into the interview (after the system and ID checks) and returns its state.',
    request: z.object({ sessionId: CandidateSessionIdSchema }).strict(),
    response: InterviewStateSchema,
  }),
  candidateInterviewState: call({
    description: 'The current question with its remaining time (measured by main on a monotonic clock).',
    request: z.object({ sessionId: CandidateSessionIdSchema }).strict(),
    response: InterviewStateSchema,
  }),
  candidateSaveDraft: call({
    description: 'Saves the answer typed so far, so a reload, a crash or the time limit loses nothing.',
    request: z
      .object({ sessionId: CandidateSessionIdSchema, questionId: z.string(), text: z.string().max(100_000) })
      .strict(),
    response: z.object({ savedAt: z.string() }),
  }),
  candidateSubmitAnswer: call({
    description:
      'Submits the answer to the current question and moves to the next one (or to a break, when allowed).',
    request: z
      .object({
        sessionId: CandidateSessionIdSchema,
        questionId: z.string(),
        text: z.string().max(100_000),
        thenBreak: z.boolean().optional(),
      })
      .strict(),
    response: InterviewStateSchema,
  }),
  candidateSubmitSpokenAnswer: call({
    description:
      'The recorded audio of a spoken answer (with any notes typed): stored, linked to the answer, sent with the session, and transcribed when an endpoint is configured.',
    request: z
      .object({
        sessionId: CandidateSessionIdSchema,
        questionId: z.string(),
        mimeType: z.string().regex(/^audio\/[a-z0-9.+-]+(;.*)?$/i),
        audio: z
          .instanceof(Uint8Array)
          .refine((a) => a.byteLength > 0 && a.byteLength <= MAX_SPOKEN_ANSWER_BYTES, {
            message: 'the recording is empty or too large',
          }),
        durationMs: z
          .number()
          .min(0)
          .max(24 * 3600 * 1000),
        text: z.string().max(100_000),
        thenBreak: z.boolean().optional(),
      })
      .strict(),
    response: InterviewStateSchema,
    maxRequestBytes: SPOKEN_ANSWER_REQUEST_BYTES,
  }),
  candidateEndBreak: call({
    description: 'Ends the candidate’s break now: the next question is asked with its full time.',
    request: z.object({ sessionId: CandidateSessionIdSchema }).strict(),
    response: InterviewStateSchema,
  }),
  candidateFrame: call({
    description: 'A sampled camera frame for on-device analysis; answers with the analysis rate to use.',
    request: z
      .object({
        sessionId: CandidateSessionIdSchema,
        jpeg: z.instanceof(Uint8Array),
        width: z.number().int().min(16).max(4096),
        height: z.number().int().min(16).max(4096),
      })
      .strict(),
    response: z.object({
      accepted: z.boolean(),
      recommendedFps: z.number(),
      faces: z.number().int().nullable(),
    }),
    maxRequestBytes: MAX_FRAME_BYTES,
  }),
  candidateAudio: call({
    description: 'Microphone levels and voice activity measured by the renderer (about every 100 ms).',
    request: z
      .object({
        sessionId: CandidateSessionIdSchema,
        frames: z
          .array(
            z.object({
              timestampMs: z.number(),
              levelDb: z.number(),
              voiceProbability: z.number().min(0).max(1),
              trackLive: z.boolean(),
            }),
          )
          .max(100),
      })
      .strict(),
    response: z.object({ accepted: z.number().int() }),
  }),
  candidateFocus: call({
    description:
      'The exam page lost or regained focus (blur, or hidden behind another tab or window). Main times it; ' +
      'it is the focus evidence only where no desktop lockdown watches the window (the browser host).',
    request: z.object({ sessionId: CandidateSessionIdSchema, focused: z.boolean() }).strict(),
    response: z.object({ recorded: z.boolean() }),
  }),
  candidateFinish: call({
    description: 'Ends the session: evaluation, report and uploads continue in the background.',
    request: z
      .object({
        sessionId: CandidateSessionIdSchema,
        // No recording id: main uploads the recording it opened for this session, not one named here.
        /** Why the renderer could not stop and merge its recording, when it could not. */
        recordingError: z.string().max(2000).optional(),
      })
      .strict(),
    response: FinishProgressSchema,
  }),
  candidateFinishProgress: call({
    description: 'Progress of the work after a session: merge, evaluation, report, uploads.',
    request: z.object({ sessionId: CandidateSessionIdSchema }).strict(),
    response: FinishProgressSchema,
  }),
  candidateUpdateStatus: call({
    description:
      'Where the app update stands (checking, downloading with its percent, ready, error), looked at afresh: work an exam deferred starts once no exam is in progress. checkNow asks the update server now (after an error), never during an exam.',
    request: z.object({ checkNow: z.boolean().optional() }).strict(),
    response: UpdateStatusSchema,
  }),
  candidateRestartToUpdate: call({
    description:
      'Restarts into the downloaded update. Refused (CONFLICT) while an exam is in progress or before an update is ready.',
    request: z.object({}).strict(),
    response: z.object({ restarting: z.literal(true) }),
  }),
  runDoctor: call({
    description:
      'The `vigil doctor` report for the About screen: versions, policy and where each value came from, files with hashes, ffmpeg, database, central server, pending sync.',
    request: z.object({}).strict(),
    response: DoctorReportSchema,
  }),
  ...aboutSettingsCalls,
  ...consoleCalls,
} as const;

/** Offline-first sync progress: what is still on this device and how the last attempt went. */
export const SyncStatusSchema = z.object({
  state: z.enum(['idle', 'syncing', 'offline', 'refused', 'not_enrolled']),
  pendingItems: z.number().int().nonnegative(),
  pendingBytes: z.number().int().nonnegative(),
  pendingBlobs: z.number().int().nonnegative(),
  pendingBlobBytes: z.number().int().nonnegative(),
  rejectedItems: z.number().int().nonnegative(),
  rejectedBlobs: z.number().int().nonnegative(),
  /** Items the server refused, with its reason (they never block the queue). */
  rejected: z.array(z.object({ key: z.string(), kind: z.string(), reason: z.string() })),
  lastSuccessAt: z.string().nullable(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  /**
   * Items and files waiting on the device because the enrollment they belong to (a central device
   * row) has no usable credential here: expired, refused by the server, or gone. Never sent with another.
   */
  held: z.array(
    z.object({
      deviceId: z.string().nullable(),
      items: z.number().int().nonnegative(),
      blobs: z.number().int().nonnegative(),
      reason: z.string(),
    }),
  ),
});
export type SyncStatusPayload = z.infer<typeof SyncStatusSchema>;

export const events = {
  candidateNotice: z.object({
    sessionId: z.string(),
    /** Stable key so the UI can replace or clear a notice. */
    key: z.string(),
    active: z.boolean(),
    /** Factual and non-accusatory, e.g. "We can't see your face". */
    message: z.string(),
  }),
  pong: z.object({ nonce: z.string(), receivedAt: z.string() }),
  /** The console filed a new report version of a session in central (after a verdict or decision). */
  reviewReportFiled: z.object({ sessionId: z.string() }),
  syncStatus: SyncStatusSchema,
  /** The app update's state changed (src-main/update/update-controller.ts). */
  updateStatus: UpdateStatusSchema,
  mediaMergeProgress: z.object({ recordingId: z.string(), percent: z.number().min(0).max(100) }),
  mediaDiskLow: z.object({
    recordingId: z.string(),
    freeBytes: z.number(),
    /** warning: free space is getting low; stop: recording was asked to stop to protect what is written. */
    level: z.enum(['warning', 'stop']),
    message: z.string(),
  }),
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type EventName = keyof typeof events;
export type CallRequest<K extends CallName> = z.input<Calls[K]['request']>;
export type CallResponse<K extends CallName> = z.output<Calls[K]['response']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const callNames = Object.keys(calls) as CallName[];
export const eventNames = Object.keys(events) as EventName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(calls, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

// What a window's renderer sees as `window.vigil` is WindowApi in contract-windows.ts.

/** Electron IPC channel names (the preload and the shell's binding share them). */
export const IPC_CALL_CHANNEL = 'vigil:call';
export const IPC_EVENT_CHANNEL = 'vigil:event';
