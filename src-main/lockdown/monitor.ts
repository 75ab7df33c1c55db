// Lockdown checks over the whole exam: every detector once at the start (each result goes to the
// evidence chain, each violation or unavailable check the exam does not `allow` becomes a warning),
// then the process scan again every `processScanIntervalS`. A blocked program becomes one warning
// from the scan that first saw it to the scan that no longer does: it is reported open (no end) as
// soon as it is seen, so the proctor sees it while it runs, and again with the same key and its
// duration when it is gone. A scan that cannot run becomes a `check_unavailable` interval, so an
// outage is never a silent pass. Every result also goes to the port's result subscribers (the
// candidate session's evidence chain).
import { runGuarded } from './check-result';
import { gateDecision } from './gate';
import type { LockdownPolicy } from './policy';
import { publishLockdownResult } from './port';
import type { ProcessCategory } from './process-blocklist';
import { scanProcesses, type ProcessFinding } from './process-scan';
import { runLockdownChecks, type LockdownProbes } from './run-checks';
import type { CheckName, CheckResult, LockdownWarningSink } from './types';
import { checkToWarning } from './violations';

export interface Scheduler {
  every(ms: number, task: () => void): { cancel(): void };
}

export const intervalScheduler: Scheduler = {
  every(ms, task) {
    const timer = setInterval(task, ms);
    timer.unref();
    return { cancel: () => clearInterval(timer) };
  },
};

export interface LockdownMonitorOptions {
  probes: LockdownProbes;
  policy: LockdownPolicy;
  sink: LockdownWarningSink;
  /** Every detector result, for the session's evidence chain. */
  onResult?: (result: CheckResult) => void;
  ownPids?: number[];
  now?: () => number;
  scheduler?: Scheduler;
  /** Checks whose violations another part already reports (the shell tracks displays as intervals). */
  skipWarnings?: readonly CheckName[];
}

export interface LockdownMonitor {
  start(): Promise<CheckResult[]>;
  /** One process scan (the scheduler calls it; tests call it directly). */
  scan(): Promise<void>;
  stop(): void;
}

interface OpenFinding {
  since: number;
  finding: ProcessFinding;
  result: CheckResult;
}

export function createLockdownMonitor(options: LockdownMonitorOptions): LockdownMonitor {
  const now = options.now ?? Date.now;
  const ownPids = options.ownPids ?? [process.pid, process.ppid];
  const open = new Map<string, OpenFinding>();
  let outage: { since: number; reason: string } | undefined;
  let timer: { cancel(): void } | undefined;
  let scanning: Promise<void> | undefined;

  const iso = (ms: number) => new Date(ms).toISOString();
  const report = (result: CheckResult) => {
    options.onResult?.(result);
    publishLockdownResult(result);
  };

  /** The program's warning: open (no end) when first seen, closed with its duration when gone. */
  const emitFinding = (key: string, entry: OpenFinding, at?: number, extra: Record<string, unknown> = {}) => {
    const { finding } = entry;
    options.sink.emit({
      type: 'blocked_process',
      key: `process_scan:${key}`,
      severity: finding.category === 'chat' ? 'medium' : 'high',
      startedAt: iso(entry.since),
      endedAt: at === undefined ? null : iso(at),
      durationMs: at === undefined ? null : Math.max(0, at - entry.since),
      confidence: finding.confidence,
      detector: 'lockdown',
      details: {
        check: 'process_scan',
        finding,
        evidence: entry.result.evidence.filter((e) => e.source.startsWith(`process[${finding.pid}]`)),
        ...extra,
      },
    });
  };

  const closeFinding = (key: string, at: number, extra: Record<string, unknown> = {}) => {
    const entry = open.get(key);
    if (!entry) return;
    open.delete(key);
    emitFinding(key, entry, at, extra);
  };

  const closeOutage = (at: number, extra: Record<string, unknown> = {}) => {
    if (!outage) return;
    options.sink.emit({
      type: 'check_unavailable',
      severity: 'medium',
      startedAt: iso(outage.since),
      endedAt: iso(at),
      durationMs: Math.max(0, at - outage.since),
      confidence: 0,
      detector: 'lockdown',
      details: { check: 'process_scan', reason: outage.reason, ...extra },
    });
    outage = undefined;
  };

  const applyScan = (result: CheckResult, at: number) => {
    // Programs the exam allows are evidence in the chain only, never a warning (nor is an outage).
    if (gateDecision(result, options.policy) === 'allowed') return;
    if (result.status === 'check_unavailable') {
      outage ??= { since: at, reason: String(result.details.reason) };
      return;
    }
    closeOutage(at);
    const seen = new Set<string>();
    for (const finding of (result.details.findings ?? []) as ProcessFinding[]) {
      const key = `${finding.entryId}:${finding.pid}`;
      seen.add(key);
      if (open.has(key)) continue;
      const entry = { since: at, finding, result };
      open.set(key, entry);
      emitFinding(key, entry);
    }
    for (const key of [...open.keys()]) if (!seen.has(key)) closeFinding(key, at);
  };

  const scan = async () => {
    const at = now();
    const result = await runGuarded('process_scan', async () =>
      scanProcesses(await options.probes.listProcesses(), {
        categories: options.policy.blockedCategories as ProcessCategory[],
        allowedApps: options.policy.allowedApps,
        ownPids,
      }),
    );
    report(result);
    applyScan(result, at);
  };

  return {
    async start() {
      const at = now();
      const results = await runLockdownChecks(options.probes, options.policy, { ownPids });
      for (const result of results) {
        report(result);
        if (result.check === 'process_scan') applyScan(result, at);
        else if (
          !options.skipWarnings?.includes(result.check) &&
          gateDecision(result, options.policy) !== 'allowed'
        ) {
          const warning = checkToWarning(result);
          if (warning) options.sink.emit(warning);
        }
      }
      timer = (options.scheduler ?? intervalScheduler).every(
        options.policy.processScanIntervalS * 1000,
        () => {
          // Never two scans at once: a slow scan just delays the next one.
          scanning ??= scan().finally(() => (scanning = undefined));
        },
      );
      return results;
    },
    scan,
    stop() {
      timer?.cancel();
      timer = undefined;
      const at = now();
      for (const key of [...open.keys()]) closeFinding(key, at, { openAtExamEnd: true });
      closeOutage(at, { openAtExamEnd: true });
    },
  };
}
