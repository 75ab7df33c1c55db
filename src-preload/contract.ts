// The one IPC contract between the renderer and main. Pure: zod only, no node/electron/DOM imports,
// so the Electron preload, the WebSocket bridge, main's dispatcher and the tests all share it.
import { z } from 'zod';
import { consoleCalls } from './contract-console';

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

export const EffectiveConfigSchema = z.object({
  values: z.record(z.string(), z.unknown()),
  /** Dotted keys set by the IT policy file; shown as managed and not editable. */
  lockedKeys: z.array(z.string()),
  /** Where each value came from: default | policy | user | env. */
  sources: z.record(z.string(), z.enum(['default', 'policy', 'user', 'env'])),
});

/** Default size limit for a request, in bytes. Calls that carry media raise it explicitly. */
export const DEFAULT_MAX_REQUEST_BYTES = 256 * 1024;
/** Size limit of one media chunk call: a 2 s timeslice at a high bitrate, base64-encoded on the host transport. */
export const MAX_MEDIA_CHUNK_BYTES = 8 * 1024 * 1024;

export const UploadModeSchema = z.enum(['full', 'flags_only']);
export const MediaRecordingIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const MediaStartRequestSchema = z
  .object({
    /** The interview session being recorded (client-generated uuid). */
    sessionId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
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
    uploadMode: UploadModeSchema.optional(),
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
  getEffectiveConfig: call({
    description: 'The configuration in effect, the keys locked by IT policy, and where each value came from.',
    request: z.object({}).strict(),
    response: EffectiveConfigSchema,
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
});
export type SyncStatusPayload = z.infer<typeof SyncStatusSchema>;

export const events = {
  pong: z.object({ nonce: z.string(), receivedAt: z.string() }),
  syncStatus: SyncStatusSchema,
  appNotice: z.object({ level: z.enum(['info', 'warning', 'error']), message: z.string() }),
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

/** What the renderer sees as `window.vigil`, whatever the transport. */
export type VigilApi = {
  [K in CallName]: (request: CallRequest<K>) => Promise<Result<CallResponse<K>>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** Electron IPC channel names (the preload and the shell's binding share them). */
export const IPC_CALL_CHANNEL = 'vigil:call';
export const IPC_EVENT_CHANNEL = 'vigil:event';
