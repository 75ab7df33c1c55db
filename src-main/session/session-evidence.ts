// The exam's start, as evidence in the session's hash chain: which app build ran (version and a
// hash of its code), under which policy (sha256 of the canonical effective lockdown and proctoring
// policy), and every lockdown check result with its verdict, evidence and confidence, including
// `check_unavailable`. The server compares the build with the builds it knows (migration 0200).
// Kept apart from candidate-service.ts, which only calls in at the interview's start and end.
import type { LockdownPolicy } from '../lockdown/policy';
import { lockdownPolicySchema, parseLockdownPolicy } from '../lockdown/policy';
import { runningAppBuild } from '../lockdown/app-build';
import { canonicalJson, policyHash, sha256Hex, type AppBuildPayload } from '../lockdown/evidence-events';
import { deviceLockdownProbes } from '../lockdown/device-probes';
import { examLockdownPort, onLockdownResult } from '../lockdown/port';
import { runLockdownChecks, type LockdownProbes } from '../lockdown/run-checks';
import type { CheckResult } from '../lockdown/types';
import type { Logger } from '../log/logger';
import { appendEvent } from '../store/event-chain';
import { gateRecord, type IntegrityGate } from './integrity-gate';
import type { LocalStore } from '../store/local-store';

/** Where the evidence comes from (injectable: tests give a fixed build and recorded probes). */
export interface ExamEvidencePorts {
  appBuild(): Promise<AppBuildPayload>;
  /** The detectors, run here only when no desktop shell monitor runs them (browser mode). */
  probes: LockdownProbes;
  ownPids?: number[];
}

export function defaultExamEvidencePorts(appVersion: string): ExamEvidencePorts {
  return { appBuild: () => runningAppBuild(appVersion), probes: deviceLockdownProbes() };
}

export interface ExamEvidence {
  /** The lockdown policy the desktop shell applied; null in browser mode. */
  readonly lockdown: LockdownPolicy | null;
  /** Waits for the checks still running, then stops recording results (at the interview's end). */
  close(): Promise<void>;
}

export const BROWSER_MODE_REASON = 'browser mode: only the desktop app can lock the computer down';

/** The sha256 recorded as `policyHash`: the canonical JSON of both effective policies. */
export function effectivePolicyHash(lockdown: LockdownPolicy | null, proctoring: unknown): string {
  return sha256Hex(canonicalJson({ lockdown, proctoring }));
}

/**
 * Enters the exam lockdown (when the shell provides one) and records the start evidence. With the
 * shell, its monitor runs every detector and each result (the periodic process scans too) lands in
 * the chain as it comes; without it, the integrity gate's results (or, without one, the detectors
 * run here once in the background) are recorded.
 */
export async function beginExamEvidence(input: {
  store: LocalStore;
  sessionId: string;
  /** The exam policy's `lockdown` part, as the central server sent it. */
  lockdownInput: unknown;
  proctoringPolicy: unknown;
  ports: ExamEvidencePorts;
  logger: Logger;
  /** The integrity gate main just ran: chained with its decisions; in browser mode its results are the start's checks. */
  gate?: Pick<IntegrityGate, 'results' | 'outcome'>;
}): Promise<ExamEvidence> {
  const { store, sessionId, logger } = input;
  const build = await input.ports.appBuild();
  let closed = false;
  const record = (result: CheckResult) => {
    if (closed) return;
    try {
      store.write('lockdown check', (tx) =>
        appendEvent(tx, { sessionId, kind: 'lockdown_check', data: result }),
      );
    } catch (error) {
      logger.error({ err: error, sessionId, check: result.check }, 'could not record a lockdown check');
    }
  };
  // Subscribed before entering, so the monitor's first results cannot be missed.
  const unsubscribe = onLockdownResult(record);
  const port = examLockdownPort();
  let applied: LockdownPolicy | null;
  try {
    applied = port ? port.enter(input.lockdownInput ?? {}) : null;
  } catch (error) {
    unsubscribe();
    throw error;
  }
  const parsed = applied ? undefined : lockdownPolicySchema.safeParse(input.lockdownInput ?? {});
  const effective = applied ?? (parsed?.success ? parsed.data : null);
  store.write('exam evidence', (tx) => {
    appendEvent(tx, { sessionId, kind: 'app_build', data: build });
    appendEvent(tx, {
      sessionId,
      kind: 'lockdown_policy',
      data: {
        available: !!port,
        ...(port ? {} : { reason: BROWSER_MODE_REASON }),
        ...(parsed && !parsed.success ? { policyProblem: parsed.error.message } : {}),
        policy: { lockdown: effective, proctoring: input.proctoringPolicy },
        policyHash: effectivePolicyHash(effective, input.proctoringPolicy),
        lockdownPolicyHash: effective ? policyHash(effective) : null,
      },
    });
    // What the exam's policy made of each check at the start (allow, warn, refuse, or a pass).
    if (input.gate)
      appendEvent(tx, {
        sessionId,
        kind: 'integrity_gate',
        data: { checks: gateRecord(input.gate.outcome) },
      });
  });
  const pending = port
    ? Promise.resolve()
    : (input.gate
        ? Promise.resolve(input.gate.results)
        : runLockdownChecks(input.ports.probes, effective ?? parseLockdownPolicy({}), {
            ...(input.ports.ownPids ? { ownPids: input.ports.ownPids } : {}),
          })
      )
        .then((results) => results.forEach(record))
        .catch((error: unknown) => logger.error({ err: error, sessionId }, 'lockdown checks failed'));
  return {
    lockdown: applied,
    async close() {
      await pending;
      closed = true;
      unsubscribe();
    },
  };
}
