// The work after a finished session (merge check, evaluation, report), started when the session
// finishes and again at start-up for sessions a closed app left unfinished. Its progress is kept in
// candidate_progress.finish_state for the finish screen.
import type { Logger } from '../log/logger';
import type { LocalStore } from '../store/local-store';
import { updateProgress, type FinishState } from './candidate-progress';

/** How long the evaluation waits for spoken answers still being transcribed when a session ends. */
export const TRANSCRIPT_WAIT_MS = 120_000;

export interface AfterSessionDeps {
  store: LocalStore;
  /** Runs merge check, evaluation and report for a finished session; updates the finish state. */
  afterSession: (sessionId: string, update: (patch: FinishState) => void) => Promise<void>;
  /** A nudge to the uploader to send what the work produced now. */
  syncNow: () => void;
  logger: Logger;
}

/** Evaluation and report wait (boundedly) for spoken answers still being transcribed. */
export function runAfterSession(
  deps: AfterSessionDeps,
  sessionId: string,
  transcripts?: Promise<void>,
): void {
  const update = (patch: FinishState) =>
    deps.store.write('after-session progress', (tx) => updateProgress(tx, sessionId, { finish: patch }));
  const ready = transcripts
    ? Promise.race([
        transcripts.catch(() => undefined),
        new Promise<void>((resolve) => setTimeout(resolve, TRANSCRIPT_WAIT_MS).unref()),
      ])
    : Promise.resolve();
  void ready
    .then(() => deps.afterSession(sessionId, update))
    .catch((error: unknown) => deps.logger.error({ err: error, sessionId }, 'after-session work failed'))
    .finally(() => deps.syncNow());
}
