// Records one spoken answer: a MediaRecorder on the microphone track of the stream the interview
// already has open (no second permission prompt, no second device), kept in memory as one blob
// that is sent to main when the answer is submitted. Stops by itself at a size limit.
export const ANSWER_MIME_TYPES = [
  'audio/webm;codecs=opus',
  'audio/webm',
  'audio/ogg;codecs=opus',
  'audio/mp4',
];

export interface AnswerTake {
  blob: Blob;
  mimeType: string;
  durationMs: number;
}

export interface AnswerRecording {
  /** Stops and returns what was recorded (also after the size limit stopped it). */
  stop(): Promise<AnswerTake>;
  /** Drops the recording (a re-take). */
  cancel(): void;
  elapsedMs(): number;
}

export function answerMimeType(
  isSupported: (type: string) => boolean = (t) => MediaRecorder.isTypeSupported(t),
): string {
  return ANSWER_MIME_TYPES.find(isSupported) ?? '';
}

export function startAnswerRecording(
  stream: MediaStream,
  options: { maxBytes: number; onLimit: () => void; audioBitsPerSecond?: number },
): AnswerRecording {
  const tracks = stream.getAudioTracks().filter((t) => t.readyState === 'live');
  if (tracks.length === 0) throw new Error('No microphone is available to record your answer.');
  const mimeType = answerMimeType();
  const recorder = new MediaRecorder(new MediaStream(tracks), {
    ...(mimeType ? { mimeType } : {}),
    audioBitsPerSecond: options.audioBitsPerSecond ?? 32_000,
  });
  const chunks: Blob[] = [];
  let bytes = 0;
  let limited = false;
  const started = performance.now();
  let stoppedAt: number | null = null;
  const stopped = new Promise<void>((resolve) => recorder.addEventListener('stop', () => resolve()));
  recorder.addEventListener('dataavailable', (e) => {
    if (e.data.size === 0) return;
    chunks.push(e.data);
    bytes += e.data.size;
    if (bytes >= options.maxBytes * 0.95 && !limited) {
      limited = true;
      options.onLimit();
    }
  });
  // One-second slices keep the size check close to the truth.
  recorder.start(1000);
  const elapsedMs = () => (stoppedAt ?? performance.now()) - started;
  return {
    elapsedMs,
    async stop() {
      if (recorder.state !== 'inactive') {
        stoppedAt = performance.now();
        recorder.stop();
      }
      await stopped;
      const type = recorder.mimeType || mimeType || 'audio/webm';
      return { blob: new Blob(chunks, { type }), mimeType: type, durationMs: Math.round(elapsedMs()) };
    },
    cancel() {
      if (recorder.state !== 'inactive') recorder.stop();
      chunks.length = 0;
    },
  };
}
