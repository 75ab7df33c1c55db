// Builds CheckResults, and runs a detector so that one that throws or has no input reports
// `check_unavailable` with the reason instead of passing silently.
import type { CheckName, CheckResult, Evidence } from './types';

export function unavailable(check: CheckName, reason: string, now: Date = new Date()): CheckResult {
  return {
    check,
    status: 'check_unavailable',
    confidence: 0,
    evidence: [],
    summary: `${check} could not run: ${reason}`,
    details: { reason },
    checkedAt: now.toISOString(),
  };
}

export function verdict(
  check: CheckName,
  violation: boolean,
  confidence: number,
  evidence: Evidence[],
  summary: string,
  details: Record<string, unknown> = {},
  now: Date = new Date(),
): CheckResult {
  return {
    check,
    status: violation ? 'violation' : 'pass',
    confidence,
    evidence,
    summary,
    details,
    checkedAt: now.toISOString(),
  };
}

/** Runs one detector; any failure becomes `check_unavailable` with the error's message. */
export async function runGuarded(
  check: CheckName,
  detector: () => Promise<CheckResult>,
): Promise<CheckResult> {
  try {
    return await detector();
  } catch (error) {
    return unavailable(check, error instanceof Error ? error.message : String(error));
  }
}
