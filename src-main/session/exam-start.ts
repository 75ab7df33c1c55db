// The start of an exam opens its sealed content (store/exam-cache.ts): with the key the central
// server releases while the exam's window is open, or, offline, with the start code the proctor
// hands out in the room (which unwraps the key kept in the cache). The key and the opened exam
// stay in this process's memory; nothing readable goes back to the database.
import type { DeviceChannel } from '../central/device-channel';
import { VigilError } from '../errors';
import { SealBroken, unwrapWithStartCode } from '../security/exam-seal';
import type { TokenVaults } from '../store/device-credentials';
import { enrollmentFor } from '../store/enrollments';
import {
  cachedExam,
  cachedExamInfo,
  offlineWrap,
  openCachedExam,
  type CachedExam,
} from '../store/exam-cache';
import type { LocalStore } from '../store/local-store';

export interface ExamStartDeps {
  store: LocalStore;
  tokens: TokenVaults;
  central: () => Promise<DeviceChannel>;
}

/** The exam opened for its start; `startCode` (typed by the candidate) is the offline way in. */
export async function openExamForStart(
  deps: ExamStartDeps,
  examId: string,
  startCode?: string,
): Promise<CachedExam> {
  const already = cachedExam(deps.store, examId);
  if (already) return already;
  const info = cachedExamInfo(deps.store, examId);
  if (!info) throw new VigilError('NOT_FOUND', 'This exam is not enrolled on this device.', { examId });
  if (startCode?.trim()) {
    const wrap = offlineWrap(deps.store, examId);
    if (!wrap)
      throw new VigilError(
        'NOT_READY',
        `${info.title} cannot start with a start code on this computer. Connect to the internet to start it.`,
        { examId, reason: 'no_offline_start' },
      );
    let key: Buffer;
    try {
      key = await unwrapWithStartCode(wrap, startCode, examId);
    } catch (error) {
      if (!(error instanceof SealBroken)) throw error;
      throw new VigilError(
        'FORBIDDEN',
        'That start code is not the one for this exam. Check it with your proctor and type it again.',
        { examId, reason: 'wrong_start_code' },
      );
    }
    return openCachedExam(deps.store, examId, key);
  }
  const key = await releasedKey(deps, examId, info.title, info.offlineStart);
  return openCachedExam(deps.store, examId, key);
}

async function releasedKey(
  deps: ExamStartDeps,
  examId: string,
  title: string,
  offlineStart: boolean,
): Promise<Buffer> {
  const enrollment = enrollmentFor(deps.store, examId);
  const token = enrollment ? deps.tokens.forFile(enrollment.tokenFile).load() : undefined;
  if (!token)
    throw new VigilError(
      'NOT_READY',
      `This device is not enrolled for ${title}. Ask for a new enrollment code and choose “Enroll another exam” to enter it.`,
      { examId },
    );
  try {
    return (await (await deps.central()).releaseExamKey(token, examId)).key;
  } catch (error) {
    if (error instanceof VigilError && error.code === 'FORBIDDEN' && error.details?.reason === 'not_open')
      throw new VigilError(
        'FORBIDDEN',
        `${title} has not started yet: it opens at ${String(error.details.at)} (the server's clock). Come back then.`,
        { examId, reason: 'not_open', opensAt: error.details.at },
        { cause: error },
      );
    if (error instanceof VigilError && error.code === 'FORBIDDEN' && error.details?.reason === 'closed')
      throw new VigilError(
        'FORBIDDEN',
        `${title} closed at ${String(error.details.at)} (the server's clock); it can no longer be started.`,
        { examId, reason: 'closed', closedAt: error.details.at },
        { cause: error },
      );
    const unreachable = !(error instanceof VigilError) || error.code === 'UNAVAILABLE';
    if (!unreachable) throw error;
    throw offlineStart
      ? new VigilError(
          'NOT_READY',
          `You are offline. Type the start code your proctor gives out in the room to start ${title}, or connect to the internet.`,
          { examId, reason: 'start_code_required' },
          { cause: error },
        )
      : new VigilError(
          'UNAVAILABLE',
          `${title} can only start while this computer is online: its questions are released at the start. Connect to the internet and try again.`,
          { examId, reason: 'online_start_only' },
          { cause: error },
        );
  }
}
