// After a crash or a power loss in the middle of the interview: when the app stopped, and whether
// the interview goes on. The app's last sign of life is the latest of what it wrote for the session
// (recording chunks every two seconds, draft saves, chain events; not a refusal written after the
// restart), so the open question's clock can
// go on from there and the interruption is measured. Back within the exam's `interruption.
// returnWithinMinutes`, the interview resumes; later, the session finishes with what was saved.
import type { LocalStore, Tx } from '../store/local-store';
import { appendEvent } from '../store/event-chain';
import { interruptionOf, type InterruptionPolicy } from './exam-options';

export interface ResumePlan {
  policy: InterruptionPolicy;
  /** The app's last write for the session before it stopped. */
  stoppedAt: string;
  resumedAt: string;
  interruptedMs: number;
  /** Too late to go on: the session finishes with what was saved. */
  expired: boolean;
}

/** The latest write the app made for the session (ISO), or its start. */
export function lastSignOfLife(tx: Pick<Tx, 'raw'>, sessionId: string): string {
  const row = tx.raw
    .prepare(
      `SELECT max(at) AS at FROM (
         SELECT max(c.received_at) AS at FROM media_chunks c JOIN media_recordings r ON r.id = c.recording_id
           WHERE r.session_id = @id
         UNION ALL SELECT max(updated_at) FROM answers WHERE session_id = @id
         UNION ALL SELECT max(at) FROM events WHERE session_id = @id AND kind != 'exam_refused'
         UNION ALL SELECT started_at FROM sessions WHERE id = @id)`,
    )
    .get({ id: sessionId }) as { at: string | null };
  return row.at ?? new Date().toISOString();
}

export function planResume(
  store: LocalStore,
  sessionId: string,
  examPolicy: Record<string, unknown>,
  now: Date = new Date(),
): ResumePlan {
  const policy = interruptionOf(examPolicy);
  const stoppedAt = lastSignOfLife(store, sessionId);
  const interruptedMs = Math.max(0, now.getTime() - Date.parse(stoppedAt));
  return {
    policy,
    stoppedAt,
    resumedAt: now.toISOString(),
    interruptedMs,
    expired: interruptedMs > policy.returnWithinMinutes * 60_000,
  };
}

/** The interruption in the evidence chain: when it stopped, when it went on, and what the clock did. */
export function recordInterruption(
  tx: Tx,
  sessionId: string,
  plan: ResumePlan,
  questionId: string | null,
): void {
  appendEvent(tx, {
    sessionId,
    kind: plan.expired ? 'interview_not_resumed' : 'interview_resumed',
    data: {
      stoppedAt: plan.stoppedAt,
      resumedAt: plan.resumedAt,
      interruptedMs: plan.interruptedMs,
      clock: plan.policy.clock,
      returnWithinMinutes: plan.policy.returnWithinMinutes,
      questionId,
    },
    at: plan.resumedAt,
  });
}
