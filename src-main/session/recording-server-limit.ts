// Whether a recording can be filed centrally, decided BEFORE it starts: the central server accepts
// files up to its configured `max_blob_bytes` (handed to the device with the exam, so this works
// offline), and a full-mode recording larger than that would be recorded, kept on the device and
// never reach the proctor. Flags-only exams upload short clips only, so they are not limited here.
import { VigilError } from '../errors';
import { extendedLimitS } from '../interview/accommodation';
import { accommodationOf } from './exam-options';
import type { CachedExam } from '../store/exam-cache';

/** Matroska/WebM overhead over the encoder's bitrate, as the disk guard assumes. */
const CONTAINER_OVERHEAD = 1.1;

/** The longest the exam's recording can run: every question at its (accommodated) limit, plus breaks. */
export function examRecordingSeconds(exam: CachedExam): number {
  const accommodation = accommodationOf(exam.policy);
  const questions = exam.keyQuestions.reduce(
    (sum, q) => sum + extendedLimitS(q.time_limit_s, accommodation),
    0,
  );
  const breaks = accommodation.breaks ? accommodation.breaks.count * accommodation.breaks.maxMinutes * 60 : 0;
  return questions + breaks;
}

export function expectedRecordingBytes(durationS: number, bitsPerSecond: number): number {
  return Math.ceil(((durationS * bitsPerSecond) / 8) * CONTAINER_OVERHEAD);
}

const mb = (bytes: number) => Math.ceil(bytes / 1e6).toLocaleString('en-US');

/** Throws PAYLOAD_TOO_LARGE when the exam's full recording could exceed the server's limit. */
export function checkRecordingFitsServer(input: {
  exam: CachedExam;
  requestedDurationS: number;
  bitsPerSecond: number;
  uploadMode: 'full' | 'flags_only';
}): void {
  const maxBytes = input.exam.maxBlobBytes;
  if (input.uploadMode === 'flags_only' || maxBytes === undefined) return;
  const durationS = Math.max(input.requestedDurationS, examRecordingSeconds(input.exam));
  const expected = expectedRecordingBytes(durationS, input.bitsPerSecond);
  if (expected <= maxBytes) return;
  throw new VigilError(
    'PAYLOAD_TOO_LARGE',
    `This exam's recording could reach ${mb(expected)} MB (${Math.ceil(durationS / 60)} minutes at ` +
      `${(input.bitsPerSecond / 1e6).toFixed(3)} Mbit/s), but the central server accepts files up to ` +
      `${mb(maxBytes)} MB, so the proctor would never receive it. Nothing was recorded. Ask your ` +
      "institution to raise the server's limit (max_blob_bytes) or to shorten the exam, then start again.",
    { expectedBytes: expected, maxBlobBytes: maxBytes, durationS, bitsPerSecond: input.bitsPerSecond },
  );
}
