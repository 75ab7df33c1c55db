// The lockdown domain's own types: what every detector returns, what a violation is, and the
// warnings handed to the proctoring pipeline. Kept close to the proctoring warning shape (type,
// severity, startedAt, endedAt, confidence, details) so issue 4's engine can take them as they are.

export type { Severity } from '../../src-preload/vocabulary';
import type { Severity } from '../../src-preload/vocabulary';

/** One fact that made a detector decide what it decided, worded so a proctor can check it. */
export interface Evidence {
  /** Where the fact came from, e.g. `system.manufacturer`, `process.path`, `networkInterfaces[1].mac`. */
  source: string;
  /** The observed value, as reported by the OS. */
  value: string;
  /** What the value matched (a blocklist entry, a vendor string, a MAC prefix, a device id). */
  matched: string;
  /** How much this fact alone supports the verdict, 0–1. */
  weight: number;
}

export type CheckName = 'process_scan' | 'virtual_machine' | 'remote_session' | 'virtual_camera' | 'displays';

/**
 * A detector's outcome. `check_unavailable` means the detector could not run: it is reported as
 * such, never as a pass.
 */
export type CheckStatus = 'pass' | 'violation' | 'check_unavailable';

export interface CheckResult {
  check: CheckName;
  status: CheckStatus;
  /** Combined confidence of the verdict, 0–1 (0 for a pass with no evidence). */
  confidence: number;
  evidence: Evidence[];
  /** Short human summary, e.g. "VMware virtual machine (MAC prefix, graphics device id)". */
  summary: string;
  /** Extra structured facts (the matched processes, the VM product, why the check could not run). */
  details: Record<string, unknown>;
  checkedAt: string;
}

export type LockdownWarningType =
  | 'focus_lost'
  | 'display_added'
  | 'display_changed'
  | 'system_suspended'
  | 'screen_locked'
  | 'shortcut_blocked'
  | 'close_blocked'
  | 'blocked_process'
  | 'vm_detected'
  | 'remote_session'
  | 'virtual_camera'
  | 'multiple_displays'
  | 'check_unavailable';

/** A lockdown warning, compatible in spirit with the proctoring engine's warnings. */
export interface LockdownWarning {
  type: LockdownWarningType;
  severity: Severity;
  /**
   * ISO timestamps. `endedAt` equals `startedAt` for instantaneous warnings, and is null (with
   * `durationMs`) while an interval is still open: a forbidden program is reported when it is first
   * seen, then again with the same `key` when it is gone.
   */
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  /** Ties an open interval's start to its end. */
  key?: string;
  confidence: number;
  detector: 'lockdown';
  details: Record<string, unknown>;
}

/** Where lockdown warnings go (the proctoring pipeline, a store, a test's array). */
export interface LockdownWarningSink {
  emit(warning: LockdownWarning): void;
}

/** Events the shell observes during an exam, in a platform-neutral form. */
export type LockdownEvent =
  | { kind: 'blur'; at: number }
  | { kind: 'focus'; at: number }
  | { kind: 'display-added'; at: number; displayId: string; displayCount: number }
  | { kind: 'display-removed'; at: number; displayId: string; displayCount: number }
  | { kind: 'display-changed'; at: number; displayId: string; changes: string[] }
  | { kind: 'suspend'; at: number }
  | { kind: 'resume'; at: number }
  | { kind: 'lock-screen'; at: number }
  | { kind: 'unlock-screen'; at: number }
  | { kind: 'shortcut-blocked'; at: number; shortcut: string }
  | { kind: 'close-blocked'; at: number };
