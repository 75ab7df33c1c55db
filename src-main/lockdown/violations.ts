// Turns the shell's lockdown events (blur/focus, displays, suspend/resume, lock/unlock, blocked
// shortcuts) into warnings with start, end and duration, and detector results into warnings with
// their evidence. Interval warnings are emitted when they close; `finish` closes whatever is open
// when the exam ends so nothing is lost.
import type { CheckResult, LockdownEvent, LockdownWarning, LockdownWarningSink, Severity } from './types';
import type { ProcessFinding } from './process-scan';

type IntervalType = 'focus_lost' | 'display_added' | 'system_suspended' | 'screen_locked';

interface OpenInterval {
  startedAt: number;
  details: Record<string, unknown>;
}

/** Duration thresholds (ms) at which an interval warning becomes medium and high severity. */
export const severityThresholds: Record<IntervalType, { medium: number; high: number }> = {
  focus_lost: { medium: 3_000, high: 15_000 },
  display_added: { medium: 0, high: 0 },
  system_suspended: { medium: 0, high: 60_000 },
  screen_locked: { medium: 0, high: 60_000 },
};

function severityFor(type: IntervalType, durationMs: number): Severity {
  const t = severityThresholds[type];
  if (durationMs >= t.high) return 'high';
  if (durationMs >= t.medium) return 'medium';
  return 'low';
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export interface ViolationTracker {
  handle(event: LockdownEvent): void;
  /** Closes open intervals at `at` (the exam's end) and emits them. */
  finish(at: number): void;
  open(): IntervalType[];
}

export function createViolationTracker(
  sink: LockdownWarningSink,
  options: { maxDisplays?: number } = {},
): ViolationTracker {
  const maxDisplays = options.maxDisplays ?? 1;
  const open = new Map<IntervalType, OpenInterval>();

  const start = (type: IntervalType, at: number, details: Record<string, unknown> = {}) => {
    if (!open.has(type)) open.set(type, { startedAt: at, details });
  };
  const close = (type: IntervalType, at: number, extra: Record<string, unknown> = {}) => {
    const interval = open.get(type);
    if (!interval) return;
    open.delete(type);
    const durationMs = Math.max(0, at - interval.startedAt);
    sink.emit({
      type,
      severity: severityFor(type, durationMs),
      startedAt: iso(interval.startedAt),
      endedAt: iso(at),
      durationMs,
      confidence: 1,
      detector: 'lockdown',
      details: { ...interval.details, ...extra },
    });
  };
  const instant = (
    type: LockdownWarning['type'],
    at: number,
    severity: Severity,
    details: Record<string, unknown>,
  ) =>
    sink.emit({
      type,
      severity,
      startedAt: iso(at),
      endedAt: iso(at),
      durationMs: 0,
      confidence: 1,
      detector: 'lockdown',
      details,
    });

  return {
    handle(event) {
      switch (event.kind) {
        case 'blur':
          // Alt+Tab, Cmd+Tab, Ctrl+Alt+Del and the Windows key cannot be intercepted: they show up here.
          start('focus_lost', event.at, {
            cause: 'window lost focus (task switch, system key or another window)',
          });
          break;
        case 'focus':
          close('focus_lost', event.at);
          break;
        case 'display-added':
          if (event.displayCount > maxDisplays)
            start('display_added', event.at, {
              displayId: event.displayId,
              displayCount: event.displayCount,
              maxDisplays,
            });
          break;
        case 'display-removed':
          if (event.displayCount <= maxDisplays)
            close('display_added', event.at, { removedDisplayId: event.displayId });
          break;
        case 'display-changed':
          instant('display_changed', event.at, 'low', { displayId: event.displayId, changes: event.changes });
          break;
        case 'suspend':
          start('system_suspended', event.at);
          break;
        case 'resume':
          close('system_suspended', event.at);
          break;
        case 'lock-screen':
          start('screen_locked', event.at);
          break;
        case 'unlock-screen':
          close('screen_locked', event.at);
          break;
        case 'shortcut-blocked':
          instant('shortcut_blocked', event.at, 'low', { shortcut: event.shortcut, blocked: true });
          break;
        case 'close-blocked':
          instant('close_blocked', event.at, 'low', { blocked: true });
          break;
      }
    },
    finish(at) {
      for (const type of [...open.keys()]) close(type, at, { openAtExamEnd: true });
    },
    open: () => [...open.keys()],
  };
}

const checkWarningType = {
  process_scan: 'blocked_process',
  virtual_machine: 'vm_detected',
  remote_session: 'remote_session',
  virtual_camera: 'virtual_camera',
  displays: 'multiple_displays',
} as const;

function checkSeverity(result: CheckResult): Severity {
  if (result.status === 'check_unavailable') return 'medium';
  switch (result.check) {
    case 'virtual_machine':
      return result.details.verdict === 'virtual_machine' ? 'high' : 'medium';
    case 'process_scan': {
      const findings = (result.details.findings ?? []) as ProcessFinding[];
      return findings.some((f) => f.category !== 'chat') ? 'high' : 'medium';
    }
    default:
      return 'high';
  }
}

/** A detector result as a warning: violations and unavailable checks become warnings, passes do not. */
export function checkToWarning(result: CheckResult): LockdownWarning | undefined {
  if (result.status === 'pass') return undefined;
  return {
    type: result.status === 'check_unavailable' ? 'check_unavailable' : checkWarningType[result.check],
    severity: checkSeverity(result),
    startedAt: result.checkedAt,
    endedAt: result.checkedAt,
    durationMs: 0,
    confidence: result.confidence,
    detector: 'lockdown',
    details: { check: result.check, summary: result.summary, evidence: result.evidence, ...result.details },
  };
}
