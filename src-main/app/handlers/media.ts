// Contract handlers for recording: open a recording/segment, append a chunk (acknowledged once
// durable), stop and merge.
import type { HandlerGroup } from '../../rpc/dispatcher';
import type { AppContext } from '../create-app';

export function mediaHandlers(
  ctx: AppContext,
): HandlerGroup<'mediaStart' | 'mediaAppendChunk' | 'mediaStop'> {
  return {
    mediaStart: async (request) => (await ctx.media.service()).start(request),
    mediaAppendChunk: async (request) => (await ctx.media.service()).appendChunk(request),
    mediaStop: async (request) =>
      (await ctx.media.service()).stop(request.recordingId, request.recordedMs, request.reason ?? 'finished'),
  };
}
