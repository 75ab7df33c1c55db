// Contract handlers for recording: open a recording/segment (refused up front when the exam's
// recording could not be filed centrally), append a chunk (acknowledged once durable), stop and merge.
// The session and the upload mode are main's (recording-target.ts): the renderer's request carries
// neither, and its schema refuses them; a chunk or a stop is accepted only for the recording main
// opened for its current session.
import { DEFAULT_BITS_PER_SECOND } from '../../media/media-service';
import { checkRecordingFitsServer } from '../../session/recording-server-limit';
import { checkCurrentSessionRecording, currentRecordingTarget } from '../../session/recording-target';
import type { HandlerGroup } from '../../rpc/dispatcher';
import type { AppContext } from '../create-app';

export function mediaHandlers(
  ctx: AppContext,
): HandlerGroup<'mediaStart' | 'mediaAppendChunk' | 'mediaStop'> {
  return {
    mediaStart: async (request) => {
      const target = currentRecordingTarget(await ctx.candidate.store());
      // The server's blob limit came with the session's cached exam.
      checkRecordingFitsServer({
        exam: target.exam,
        requestedDurationS: request.expectedDurationS,
        bitsPerSecond: request.bitsPerSecond ?? DEFAULT_BITS_PER_SECOND,
        uploadMode: target.uploadMode,
      });
      return (await ctx.media.service()).start({
        ...request,
        sessionId: target.sessionId,
        uploadMode: target.uploadMode,
      });
    },
    // Chunks and stops name a recording id: only the current session's own recording is accepted.
    mediaAppendChunk: async (request) => {
      checkCurrentSessionRecording(await ctx.candidate.store(), request.recordingId);
      return (await ctx.media.service()).appendChunk(request);
    },
    mediaStop: async (request) => {
      checkCurrentSessionRecording(await ctx.candidate.store(), request.recordingId);
      return (await ctx.media.service()).stop(
        request.recordingId,
        request.recordedMs,
        request.reason ?? 'finished',
      );
    },
  };
}
