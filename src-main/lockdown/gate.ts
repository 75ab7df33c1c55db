// The pre-exam integrity gate: the exam's lockdown policy says, per check, whether a finding is
// allowed, recorded as a warning or refuses the exam. Pure, so every decision is unit-tested; the
// system check and the interview's start (main side: the renderer cannot skip it) both apply it.
// A check that could not run never refuses: the device could not tell, and the proctor sees the
// `check_unavailable` evidence instead.
import { VigilError } from '../errors';
import type { GateAction, LockdownPolicy } from './policy';
import type { ProcessFinding } from './process-scan';
import type { CheckName, CheckResult, Evidence } from './types';

/** The policy key that decides each check. */
export const gatePolicyKey = {
  virtual_machine: 'virtualMachine',
  remote_session: 'remoteSession',
  process_scan: 'forbiddenPrograms',
  displays: 'extraDisplays',
  virtual_camera: 'virtualCamera',
} as const satisfies Record<CheckName, keyof LockdownPolicy>;

export type GatePolicy = Pick<LockdownPolicy, (typeof gatePolicyKey)[CheckName]>;

/** `pass`: nothing found; `allowed`: found, the exam allows it; `unavailable`: could not check. */
export type GateDecision = 'pass' | 'allowed' | 'unavailable' | 'warn' | 'refuse';

export interface GateEntry {
  check: CheckName;
  status: CheckResult['status'];
  decision: GateDecision;
  summary: string;
  confidence: number;
  evidence: Evidence[];
  /** What the candidate can do about it (absent for a pass). */
  action?: string;
}

export interface GateOutcome {
  entries: GateEntry[];
  refused: GateEntry[];
  warned: GateEntry[];
}

export function gateAction(check: CheckName, policy: GatePolicy): GateAction {
  return policy[gatePolicyKey[check]];
}

export function gateDecision(result: CheckResult, policy: GatePolicy): GateDecision {
  if (result.status === 'pass') return 'pass';
  const action = gateAction(result.check, policy);
  if (action === 'allow') return 'allowed';
  if (result.status === 'check_unavailable') return 'unavailable';
  return action;
}

function products(result: CheckResult): string {
  const findings = (result.details.findings ?? []) as ProcessFinding[];
  const names = [...new Set(findings.map((f) => f.product))];
  if (names.length > 0) return names.join(', ');
  return [...new Set(result.evidence.map((e) => e.matched))].join(', ') || 'it';
}

/** What the candidate does about a finding, worded for the decision the exam made. */
export function gateAdvice(result: CheckResult, decision: GateDecision): string | undefined {
  if (decision === 'pass') return undefined;
  if (decision === 'allowed') return 'This exam allows it.';
  if (decision === 'unavailable')
    return 'Vigil could not check this; the proctor will see that it was not checked.';
  const recorded = decision === 'warn' ? ' You may start, but the proctor will see a warning.' : '';
  switch (result.check) {
    case 'virtual_machine':
      return `Take the exam on a physical computer: quit the virtual machine and start Vigil on the computer itself.${recorded}`;
    case 'remote_session':
      return `End the remote session (remote desktop, screen sharing, SSH) and start Vigil on the computer in front of you.${recorded}`;
    case 'process_scan':
      return `Close ${products(result)}, then try again.${recorded}`;
    case 'virtual_camera':
      return `Choose your real camera, not ${products(result)}, and quit the virtual camera software.${recorded}`;
    case 'displays':
      return `Disconnect every display but ${Number(result.details.maxDisplays ?? 1)}, then try again.${recorded}`;
  }
}

export function applyGate(results: readonly CheckResult[], policy: GatePolicy): GateOutcome {
  const entries = results.map((result): GateEntry => {
    const decision = gateDecision(result, policy);
    const action = gateAdvice(result, decision);
    return {
      check: result.check,
      status: result.status,
      decision,
      summary: result.summary,
      confidence: result.confidence,
      evidence: result.evidence,
      ...(action ? { action } : {}),
    };
  });
  return {
    entries,
    refused: entries.filter((e) => e.decision === 'refuse'),
    warned: entries.filter((e) => e.decision === 'warn'),
  };
}

/** The typed error for an exam the gate refused: what was found, its evidence and what to do. */
export function gateRefusal(refused: readonly GateEntry[]): VigilError {
  return new VigilError(
    'REFUSED',
    `This exam cannot start on this computer: ${refused
      .map((e) => `${e.summary}. ${e.action ?? ''}`.trim())
      .join(' ')}`,
    {
      checks: refused.map((e) => ({
        check: e.check,
        summary: e.summary,
        action: e.action,
        confidence: e.confidence,
        evidence: e.evidence,
      })),
    },
  );
}
