// Timing accommodations of an interview: extra time multiplies every question's limit, and breaks
// let a candidate pause between questions for a bounded time (no question timer runs meanwhile).
// The detector side of an accommodation (gaze checks off, longer tolerances) lives in
// proctoring/policy.ts; both are read from the exam's policy by session/exam-options.ts.
import { z } from 'zod';

export const TimingAccommodationSchema = z.object({
  /** Profile name, recorded with the session (e.g. "extra time 50%"). */
  name: z.string().trim().min(1).max(100).default('standard'),
  /** 50 means each question gets 1.5 × its time limit. */
  extraTimePercent: z.number().int().min(0).max(300).default(0),
  /** Breaks the candidate may take between questions, each up to maxMinutes; null: none. */
  breaks: z
    .object({
      count: z.number().int().min(1).max(20),
      maxMinutes: z.number().min(0.5).max(120),
    })
    .nullable()
    .default(null),
});
export type TimingAccommodation = z.infer<typeof TimingAccommodationSchema>;

export const standardTiming: TimingAccommodation = { name: 'standard', extraTimePercent: 0, breaks: null };

/** The limit the candidate gets for a question, in whole seconds (rounded up, never shorter). */
export function extendedLimitS(baseS: number, accommodation: TimingAccommodation): number {
  return Math.ceil((baseS * (100 + accommodation.extraTimePercent)) / 100);
}
