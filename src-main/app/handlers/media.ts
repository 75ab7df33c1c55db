// Contract handlers for recording: open a recording/segment (refused up front when the exam's
// recording could not be filed centrally), append a chunk (acknowledged once durable), stop and merge.
import type { z } from 'zod';
import type { MediaStartRequestSchema } from '../../../src-preload/contract';
import { DEFAULT_BITS_PER_SECOND } from '../../media/media-service';
import { checkRecordingFitsServer } from '../../session/recording-server-limit';
import type { HandlerGroup } from '../../rpc/dispatcher';
import { cachedExam } from '../../store/exam-cache';
import type { AppContext } from '../create-app';

type MediaStartRequest = z.infer<typeof MediaStartRequestSchema>;

/** The server's blob limit came with the session's cached exam; a session unknown here is not checked. */
async function checkServerLimit(ctx: AppContext, request: MediaStartRequest): Promise<void> {
  const store = await ctx.candidate.store();
  const session = store.raw.prepare('SELECT exam_id FROM sessions WHERE id = ?').get(request.sessionId) as
    { exam_id: string } | undefined;
  const exam = session ? cachedExam(store, session.exam_id) : undefined;
  if (!exam) return;
  checkRecordingFitsServer({
    exam,
    requestedDurationS: request.expectedDurationS,
    bitsPerSecond: request.bitsPerSecond ?? DEFAULT_BITS_PER_SECOND,
    uploadMode: request.uploadMode ?? exam.uploadMode,
  });
}

export function mediaHandlers(
  ctx: AppContext,
): HandlerGroup<'mediaStart' | 'mediaAppendChunk' | 'mediaStop'> {
  return {
    mediaStart: async (request) => {
      await checkServerLimit(ctx, request);
      return (await ctx.media.service()).start(request);
    },
    mediaAppendChunk: async (request) => (await ctx.media.service()).appendChunk(request),
    mediaStop: async (request) =>
      (await ctx.media.service()).stop(request.recordingId, request.recordedMs, request.reason ?? 'finished'),
  };
}
