// What an exam's policy asks of the candidate's interview beyond its questions: which answers are
// spoken, and the accommodation profile (extra time, breaks, and the detector profile that
// proctoring/policy.ts resolves). The policy travels with the cached exam, so this works offline.
import { z } from 'zod';
import { VigilError } from '../errors';
import { TimingAccommodationSchema, type TimingAccommodation } from '../interview/accommodation';

export interface Accommodation extends TimingAccommodation {
  /** A detector profile of proctoring/policy.ts (e.g. no_gaze), or none. */
  detectors: string | undefined;
  /**
   * Named applications this candidate may run besides the default assistive apps (a calculator:
   * calc, calculatorapp, calculator, gnome-calculator), added to the lockdown's allow-list.
   */
  allowedApps: string[];
}

const ProfileSchema = TimingAccommodationSchema.extend({
  detectors: z.string().min(1).optional(),
  allowedApps: z.array(z.string().min(1).max(100)).max(50).default([]),
});

/**
 * `policy.accommodation` is either a detector profile name (e.g. "no_gaze") or a profile object
 * `{ name, extraTimePercent, breaks: { count, maxMinutes }, detectors }`.
 */
export function accommodationOf(policy: Record<string, unknown>): Accommodation {
  const raw = policy.accommodation;
  if (raw === undefined || raw === null) return { ...ProfileSchema.parse({}), detectors: undefined };
  if (typeof raw === 'string') return { ...ProfileSchema.parse({ name: raw }), detectors: raw };
  const parsed = ProfileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new VigilError('CONFIG_INVALID', 'The exam’s accommodation profile is invalid; ask your proctor.', {
      issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    });
  }
  return { ...parsed.data, detectors: parsed.data.detectors };
}

/** The accommodation as recorded in the evidence chain (JSON-safe). */
export function accommodationRecord(policy: Record<string, unknown>) {
  const a = accommodationOf(policy);
  return {
    name: a.name,
    extraTimePercent: a.extraTimePercent,
    breaks: a.breaks,
    detectors: a.detectors ?? null,
    allowedApps: a.allowedApps,
  };
}

/**
 * The exam's `policy.lockdown` as the device applies it: the accommodation's `allowedApps` appended
 * to the exam's own (in that order, duplicates kept: the server composes the same list, central 0525,
 * and compares it with the chain's `lockdown_policy`). A lockdown part that is not an object, or an
 * `allowedApps` that is not a list, is left as it is for the policy's schema to refuse.
 */
export function examLockdownInput(policy: Record<string, unknown>): unknown {
  const lockdown = policy.lockdown ?? {};
  if (typeof lockdown !== 'object' || lockdown === null || Array.isArray(lockdown)) return lockdown;
  const own = (lockdown as { allowedApps?: unknown }).allowedApps ?? [];
  if (!Array.isArray(own)) return lockdown;
  // An invalid accommodation stops the interview with its own error (accommodationOf); here it adds nothing.
  let extra: string[];
  try {
    extra = accommodationOf(policy).allowedApps;
  } catch {
    extra = [];
  }
  return { ...lockdown, allowedApps: [...(own as unknown[]), ...extra] };
}

export type AnswerMode = 'text' | 'spoken';

/**
 * `policy.spokenAnswers`: true (every question) or the 1-based numbers of the questions answered by
 * voice. Spoken questions still have the answer box for notes.
 */
export function answerModeOf(policy: Record<string, unknown>, index: number): AnswerMode {
  const spoken = policy.spokenAnswers;
  if (spoken === true) return 'spoken';
  if (Array.isArray(spoken) && spoken.includes(index + 1)) return 'spoken';
  return 'text';
}

const InterruptionSchema = z
  .object({
    /**
     * The open question's time after a crash or power loss: `resume` its clock where it stopped
     * (default), `restart` it with its full time, or close it with its draft (`next_question`).
     */
    clock: z.enum(['resume', 'restart', 'next_question']).default('resume'),
    /** Back within this long, the interview goes on; later, the session finishes with what was saved. */
    returnWithinMinutes: z
      .number()
      .positive()
      .max(7 * 24 * 60)
      .default(60),
  })
  .strict();
export type InterruptionPolicy = z.infer<typeof InterruptionSchema>;

/** `policy.interruption`: what a crash mid-interview does to the exam (see InterruptionSchema). */
export function interruptionOf(policy: Record<string, unknown>): InterruptionPolicy {
  const parsed = InterruptionSchema.safeParse(policy.interruption ?? {});
  if (!parsed.success) {
    throw new VigilError('CONFIG_INVALID', 'The exam’s interruption policy is invalid; ask your proctor.', {
      issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    });
  }
  return parsed.data;
}
