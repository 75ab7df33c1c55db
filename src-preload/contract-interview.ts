// Schemas of the candidate's interview screen (issue 8), spread into the candidate calls of
// contract.ts: spoken answers, extra time and breaks. Pure: zod only.
import { z } from 'zod';

/** Largest spoken answer accepted in one call (about 70 minutes of Opus at 32 kbit/s). */
export const MAX_SPOKEN_ANSWER_BYTES = 16 * 1024 * 1024;
/** Over the host transport bytes travel base64-encoded (4/3), plus the JSON around them. */
export const SPOKEN_ANSWER_REQUEST_BYTES = 24 * 1024 * 1024;

/** Extra fields of the candidate's current question. */
export const candidateQuestionExtras = {
  /** spoken: the screen records the answer's audio (the answer box stays for notes). */
  answerMode: z.enum(['text', 'spoken']),
  /** The exam's limit before extra time (timeLimitS includes it). */
  baseTimeLimitS: z.number().int(),
};

/** Extra fields of the candidate's interview state. */
export const candidateInterviewExtras = {
  accommodation: z.object({ name: z.string(), extraTimePercent: z.number().int() }),
  breaks: z
    .object({
      allowed: z.number().int(),
      used: z.number().int(),
      maxMs: z.number().int(),
      /** A break running now: no question timer runs; the next question comes when it ends. */
      active: z.object({ remainingMs: z.number().int(), nextIndex: z.number().int() }).nullable(),
    })
    .nullable(),
};
