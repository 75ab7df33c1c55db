// The pre-exam integrity gate of a candidate session: every lockdown check (virtual machine, remote
// session, forbidden programs, extra displays, virtual cameras) judged by the exam's policy. It runs
// in the system check (each result shown with what to do) and again in main when the interview
// starts, so a renderer that skips or fakes the system check still meets it. The camera labels
// come from the renderer's system check (only it can enumerate devices) and are kept in the
// session's chain, so the start after a restart judges the same cameras.
import type { CheckItem } from '../../src-preload/contract';
import type { VigilError } from '../errors';
import type { DisplayInfo } from '../lockdown/displays';
import { applyGate, gateRefusal, type GateEntry, type GateOutcome } from '../lockdown/gate';
import { lockdownPolicySchema, parseLockdownPolicy, type LockdownPolicy } from '../lockdown/policy';
import { runLockdownChecks } from '../lockdown/run-checks';
import type { CheckName, CheckResult } from '../lockdown/types';
import type { MediaDeviceLabel } from '../lockdown/virtual-camera';
import { appendEvent } from '../store/event-chain';
import type { CachedExam } from '../store/exam-cache';
import type { LocalStore } from '../store/local-store';
import { examLockdownInput } from './exam-options';
import type { ExamEvidencePorts } from './session-evidence';

export interface IntegrityGateDeps {
  store: LocalStore;
  evidence: Pick<ExamEvidencePorts, 'probes' | 'ownPids'>;
}

export interface IntegrityGate {
  policy: LockdownPolicy;
  results: CheckResult[];
  outcome: GateOutcome;
}

/** The exam's lockdown policy; one that does not parse gets the strict defaults (the chain says why). */
export function examLockdownPolicy(exam: CachedExam): LockdownPolicy {
  const parsed = lockdownPolicySchema.safeParse(examLockdownInput(exam.policy));
  return parsed.success ? parsed.data : parseLockdownPolicy({});
}

/** The devices the virtual-camera check judges: the renderer's list plus the camera it chose. */
export function cameraList(input: {
  camera: { ok: boolean; label: string };
  mediaDevices?: MediaDeviceLabel[] | undefined;
}): MediaDeviceLabel[] {
  const list = [...(input.mediaDevices ?? [])];
  const chosen = input.camera.label;
  if (input.camera.ok && !list.some((d) => d.kind === 'videoinput' && d.label === chosen))
    list.push({ kind: 'videoinput', label: chosen });
  return list;
}

/** Runs every check and applies the exam's policy to each. */
export async function runIntegrityGate(
  deps: IntegrityGateDeps,
  exam: CachedExam,
  input: {
    mediaDevices: MediaDeviceLabel[] | undefined;
    /** How many displays the window saw: used only when the shell cannot list them itself. */
    rendererDisplays?: number;
  },
): Promise<IntegrityGate> {
  const policy = examLockdownPolicy(exam);
  const { probes } = deps.evidence;
  const results = await runLockdownChecks(
    {
      ...probes,
      mediaDevices: async () => input.mediaDevices ?? (await probes.mediaDevices()),
      displays: async () => (await probes.displays()) ?? rendererDisplays(input.rendererDisplays),
    },
    policy,
    deps.evidence.ownPids ? { ownPids: deps.evidence.ownPids } : {},
  );
  return { policy, results, outcome: applyGate(results, policy) };
}

function rendererDisplays(count: number | undefined): DisplayInfo[] | undefined {
  if (count === undefined) return undefined;
  return Array.from({ length: count }, (_, i) => ({
    id: `window-${i + 1}`,
    label: `display ${i + 1} (as the candidate window reports it)`,
  }));
}

interface SystemCheckRecord {
  mediaDevices?: MediaDeviceLabel[];
  integrity?: GateEntry[];
}

/** The session's last system check as its chain keeps it (camera labels, gate entries). */
function lastSystemCheck(store: LocalStore, sessionId: string): SystemCheckRecord | undefined {
  const row = store.raw
    .prepare(
      `SELECT body FROM events WHERE session_id = ? AND kind = 'system_check' ORDER BY seq DESC LIMIT 1`,
    )
    .get(sessionId) as { body: string } | undefined;
  return row ? (JSON.parse(row.body) as { data?: SystemCheckRecord }).data : undefined;
}

/** The refusal of the session's last system check, if the gate refused it (for a start before a pass). */
export function lastGateRefusal(store: LocalStore, sessionId: string): VigilError | undefined {
  const refused = (lastSystemCheck(store, sessionId)?.integrity ?? []).filter((e) => e.decision === 'refuse');
  return refused.length > 0 ? gateRefusal(refused) : undefined;
}

/**
 * The gate at the interview's start, in main: refuses (typed error with the evidence and what to
 * do, recorded in the chain) when a `refuse` check found something; otherwise returns the outcome.
 */
export async function enforceIntegrityGate(
  deps: IntegrityGateDeps,
  sessionId: string,
  exam: CachedExam,
): Promise<IntegrityGate> {
  const gate = await runIntegrityGate(deps, exam, {
    mediaDevices: lastSystemCheck(deps.store, sessionId)?.mediaDevices,
  });
  if (gate.outcome.refused.length > 0) {
    deps.store.write('exam refused', (tx) =>
      appendEvent(tx, {
        sessionId,
        kind: 'exam_refused',
        data: { reason: 'integrity_gate', refused: gate.outcome.refused },
      }),
    );
    throw gateRefusal(gate.outcome.refused);
  }
  return gate;
}

/** What the chain keeps of a gate: each check's verdict and the decision the exam's policy made. */
export function gateRecord(outcome: GateOutcome): Pick<GateEntry, 'check' | 'status' | 'decision'>[] {
  return outcome.entries.map(({ check, status, decision }) => ({ check, status, decision }));
}

const itemIds: Record<CheckName, { id: string; label: string }> = {
  virtual_machine: { id: 'virtual_machine', label: 'Virtual machine' },
  remote_session: { id: 'remote_session', label: 'Remote session' },
  process_scan: { id: 'forbidden_programs', label: 'Forbidden programs' },
  displays: { id: 'displays', label: 'Displays' },
  virtual_camera: { id: 'virtual_camera', label: 'Virtual camera' },
};

/** The system check's lines for the gate: a refusal fails the check, a warning or an unknown warns. */
export function gateItems(outcome: GateOutcome): CheckItem[] {
  return outcome.entries.map((entry) => {
    const { id, label } = itemIds[entry.check];
    const status =
      entry.decision === 'refuse'
        ? 'fail'
        : entry.decision === 'pass' || entry.decision === 'allowed'
          ? 'pass'
          : 'warn';
    return {
      id,
      label,
      status,
      detail: entry.summary,
      ...(entry.action ? { action: entry.action } : {}),
      ...(entry.evidence.length > 0
        ? { evidence: entry.evidence.map((e) => `${e.source}: ${e.value} (${e.matched})`) }
        : {}),
    };
  });
}
