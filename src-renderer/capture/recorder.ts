// Records camera + microphone with MediaRecorder in short timeslices and sends each chunk to main
// through the contract as it is produced, one at a time and in order. Main acknowledges a chunk
// only once it is on disk; a transport hiccup is retried, and main can ask the recorder to stop
// (disk nearly full), which ends the recording cleanly.
import type { ContractError, MergedRecording } from '../../src-preload/contract';
import type { CandidateApi } from '../../src-preload/contract-windows';

export const PREFERRED_MIME_TYPES = [
  'video/webm;codecs=vp8,opus',
  'video/webm;codecs=vp9,opus',
  'video/webm',
  'video/mp4',
];

export type StopReason = 'finished' | 'disk_low' | 'device_lost' | 'error';

export interface RecordingStatus {
  state: 'recording' | 'stopping' | 'merging' | 'done' | 'failed';
  chunksAcked: number;
  bytesAcked: number;
  elapsedMs: number;
  stopReason?: StopReason;
  error?: ContractError;
}

export interface StartRecordingOptions {
  api: Pick<CandidateApi, 'mediaStart' | 'mediaAppendChunk' | 'mediaStop'>;
  stream: MediaStream;
  expectedDurationS: number;
  timesliceMs?: number;
  videoBitsPerSecond?: number;
  audioBitsPerSecond?: number;
  mp4?: boolean;
  onStatus?: (status: RecordingStatus) => void;
  /** Retries of one chunk on a transport failure before the recording is failed. */
  maxRetries?: number;
}

export interface RecordingHandle {
  recordingId: string;
  segment: number;
  /** Stops the recorder, waits for every chunk to be durable, then has main merge. */
  stop(reason?: StopReason): Promise<MergedRecording>;
  /** Resolves when the recording ended by itself (e.g. main asked to stop for disk space). */
  ended: Promise<StopReason>;
  status(): RecordingStatus;
  /** Milliseconds since the recorder started (the clock the recorded time is measured on). */
  elapsedMs(): number;
}

export class CaptureError extends Error {
  constructor(readonly error: ContractError) {
    super(error.message);
  }
}

export function pickMimeType(
  isSupported: (type: string) => boolean = (t) => MediaRecorder.isTypeSupported(t),
): string {
  return PREFERRED_MIME_TYPES.find((t) => isSupported(t)) ?? '';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startRecording(options: StartRecordingOptions): Promise<RecordingHandle> {
  const mimeType = pickMimeType();
  const videoBitsPerSecond = options.videoBitsPerSecond ?? 1_000_000;
  const audioBitsPerSecond = options.audioBitsPerSecond ?? 64_000;
  const opened = await options.api.mediaStart({
    mimeType: mimeType || 'video/webm',
    expectedDurationS: options.expectedDurationS,
    bitsPerSecond: videoBitsPerSecond + audioBitsPerSecond,
    ...(options.mp4 ? { mp4: true } : {}),
  });
  if (!opened.ok) throw new CaptureError(opened.error);
  const { recordingId, segment } = opened.value;
  const timeslice = options.timesliceMs ?? opened.value.timesliceMs;
  const recorder = new MediaRecorder(options.stream, {
    ...(mimeType ? { mimeType } : {}),
    videoBitsPerSecond,
    audioBitsPerSecond,
  });

  const status: RecordingStatus = { state: 'recording', chunksAcked: 0, bytesAcked: 0, elapsedMs: 0 };
  const report = () => options.onStatus?.({ ...status });
  let startedAt = 0;
  let stoppedAt = 0;
  let seq = 0;
  let sending: Promise<void> = Promise.resolve();
  let failure: ContractError | undefined;
  let resolveEnded: (reason: StopReason) => void = () => undefined;
  const ended = new Promise<StopReason>((resolve) => (resolveEnded = resolve));
  const stopped = new Promise<void>((resolve) =>
    recorder.addEventListener('stop', () => resolve(), { once: true }),
  );

  const requestStop = (reason: StopReason) => {
    if (status.stopReason) return;
    status.stopReason = reason;
    status.state = 'stopping';
    report();
    if (recorder.state !== 'inactive') {
      // The media runs until stop() is called (its last frames are flushed after): measure to here.
      stoppedAt = performance.now();
      recorder.stop();
    }
  };

  const sendChunk = async (bytes: Uint8Array<ArrayBuffer>, chunkSeq: number, elapsedMs: number) => {
    const maxRetries = options.maxRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      const result = await options.api.mediaAppendChunk({
        recordingId,
        segment,
        seq: chunkSeq,
        elapsedMs,
        bytes,
      });
      if (result.ok) {
        status.chunksAcked++;
        status.bytesAcked += bytes.length;
        status.elapsedMs = elapsedMs;
        report();
        if (result.value.stop) requestStop(result.value.stop);
        return;
      }
      // Only a lost connection is worth retrying: main refuses anything else for a reason.
      if (result.error.code !== 'TRANSPORT' || attempt >= maxRetries) throw new CaptureError(result.error);
      await sleep(200 * 2 ** attempt);
    }
  };

  recorder.addEventListener('dataavailable', (event: BlobEvent) => {
    if (event.data.size === 0) return;
    const chunkSeq = seq++;
    const elapsedMs = (stoppedAt || performance.now()) - startedAt;
    const blob = event.data;
    sending = sending.then(async () => {
      if (failure) return;
      try {
        await sendChunk(new Uint8Array(await blob.arrayBuffer()), chunkSeq, elapsedMs);
      } catch (error) {
        failure =
          error instanceof CaptureError
            ? error.error
            : { code: 'INTERNAL', message: (error as Error).message };
        status.error = failure;
        status.state = 'failed';
        report();
        requestStop('error');
      }
    });
  });
  recorder.addEventListener('stop', () => {
    stoppedAt ||= performance.now();
    resolveEnded(status.stopReason ?? 'finished');
  });
  for (const track of options.stream.getTracks()) {
    track.addEventListener('ended', () => requestStop('device_lost'), { once: true });
  }

  await new Promise<void>((resolve) => {
    recorder.addEventListener('start', () => resolve(), { once: true });
    // The recording's timeline begins at start(), not at the (asynchronous) start event.
    startedAt = performance.now();
    recorder.start(timeslice);
  });
  report();

  return {
    recordingId,
    segment,
    ended,
    status: () => ({ ...status }),
    elapsedMs: () => (stoppedAt || performance.now()) - startedAt,
    async stop(reason: StopReason = 'finished') {
      requestStop(reason);
      await stopped;
      await sending;
      const recordedMs = stoppedAt - startedAt;
      status.state = 'merging';
      report();
      const result = await options.api.mediaStop({
        recordingId,
        recordedMs,
        reason: status.stopReason ?? reason,
      });
      if (!result.ok) {
        status.state = 'failed';
        status.error = result.error;
        report();
        throw new CaptureError(result.error);
      }
      status.state = 'done';
      report();
      return result.value;
    },
  };
}
