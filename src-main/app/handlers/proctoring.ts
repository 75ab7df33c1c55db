// Contract handlers for on-device proctoring: frames, audio levels, ID verification and the end of
// a session with its risk score. Images arrive as base64 and are decoded by the service.
import type { HandlerGroup } from '../../rpc/dispatcher';
import type { ProctoringService } from '../../proctoring/service';

type ProctoringCalls =
  'proctoringStart' | 'proctoringFrame' | 'proctoringAudio' | 'proctoringVerifyId' | 'proctoringEnd';

const bytes = (base64: string): Uint8Array => new Uint8Array(Buffer.from(base64, 'base64'));

export function proctoringHandlers(service: ProctoringService): HandlerGroup<ProctoringCalls> {
  return {
    proctoringStart: async (request) => {
      const { recommendedFps } = await service.start({ sessionId: request.sessionId });
      return { recommendedFps };
    },
    proctoringFrame: async (request) =>
      service.submitFrame(request.sessionId, bytes(request.image), request.timestampMs),
    proctoringAudio: async (request) => {
      service.submitAudio(request.sessionId, request.frames);
      return { accepted: request.frames.length };
    },
    proctoringVerifyId: async (request) => {
      const result = await service.verifyId({
        ...(request.sessionId ? { sessionId: request.sessionId } : {}),
        card: bytes(request.card),
        live: bytes(request.live),
      });
      return {
        decision: result.decision,
        reasons: result.reasons,
        fields: result.fields,
        mrz: result.mrz,
        ocrConfidence: result.ocr.confidence,
        face: result.face,
      };
    },
    proctoringEnd: async (request) => service.end(request.sessionId),
  };
}
