// Exponential backoff with jitter for the uploader: spreads retries of many devices after an outage
// so they do not hit the server in lockstep, and never waits longer than maxMs.
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 60_000 };

/** Delay before retry number `attempt` (1-based): uniformly in [cap/2, cap], cap = base·2^(attempt−1). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random = Math.random,
): number {
  const cap = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, Math.min(30, attempt - 1)));
  return Math.round(cap / 2 + random() * (cap / 2));
}
