// The pre-exam integrity gate through the candidate contract, as the windows drive it: the system
// check shows every lockdown check with what to do; `virtualMachine: 'refuse'` refuses the exam
// with the evidence, in the system check and again in main when the renderer asks to start anyway;
// a `refuse` program started after a passing system check is refused at the start; `warn` lets the
// exam start and records the warning; a forbidden program started mid-exam is a warning from the
// scan that first saw it, before it closes; the camera label the renderer sends reaches the
// virtual-camera check. The one double is the operating system at the lockdown port (a recorded
// machine's systeminformation output and process list) plus the Electron window objects the shell's
// exam lockdown drives; the app, its central store, the analysis worker and the monitor are real.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { VigilApp } from '../../../src-main/app/create-app';
import { createEnrollmentCode, createExam, createUser } from '../../../src-main/central/admin';
import { deviceLockdownProbes } from '../../../src-main/lockdown/device-probes';
import {
  createLockdownMonitor,
  type LockdownMonitor,
  type Scheduler,
} from '../../../src-main/lockdown/monitor';
import {
  lockdownWarningHub,
  registerExamLockdown,
  registerLockdownOsSources,
} from '../../../src-main/lockdown/port';
import type { ProcessInfo } from '../../../src-main/lockdown/process-scan';
import type { SystemReaders } from '../../../src-main/lockdown/probes';
import type { SystemSnapshot } from '../../../src-main/lockdown/system-snapshot';
import type { CheckResult } from '../../../src-main/lockdown/types';
import { createExamLockdown } from '../../../src-main/shell/exam-lockdown';
import type { LocalStore } from '../../../src-main/store/local-store';
import type { CallName, CallRequest, CallResponse, Result } from '../../../src-preload/contract';
import { createTestApp, type TestApp } from '../../support/app';
import {
  FakeClipboard,
  FakeEmitter,
  FakePowerSaveBlocker,
  FakeScreen,
  FakeWindow,
} from '../../support/electron-fakes';
import { lockdownFixture } from '../../support/lockdown-fixtures';

const ctx = { transport: 'host' as const, origin: 'test' };
const CLEAN: ProcessInfo[] = [
  { pid: 1, name: 'systemd', path: '/usr/lib/systemd/systemd' },
  { pid: 812, name: 'bash', path: '/usr/bin/bash' },
];
const OBS: ProcessInfo = { pid: 4242, name: 'obs', path: '/usr/bin/obs' };

/** The recorded machine the detectors read, changed by each test as the candidate would. */
let machine = 'si-physical-laptop.json';
let processes: ProcessInfo[] = CLEAN;
const snapshot = () => lockdownFixture<{ snapshot: SystemSnapshot }>(machine).snapshot;
const recordedMachine: SystemReaders = {
  system: async () => snapshot().system,
  bios: async () => snapshot().bios,
  baseboard: async () => snapshot().baseboard,
  cpu: async () => snapshot().cpu,
  networkInterfaces: async () => snapshot().networkInterfaces,
  graphics: async () => snapshot().graphics,
  disks: async () => snapshot().disks,
};

interface Candidate {
  t: TestApp;
  app: VigilApp;
  store: LocalStore;
  examId: string;
}
const apps: TestApp[] = [];

async function dispatch<C extends CallName>(app: VigilApp, name: C, request: CallRequest<C>) {
  return (await app.dispatcher.dispatch(name, request, ctx)) as Result<CallResponse<C>>;
}
async function call<C extends CallName>(app: VigilApp, name: C, request: CallRequest<C>) {
  const result = await dispatch(app, name, request);
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

/** A device enrolled for an exam with the given lockdown policy (embedded central store). */
async function enrolledFor(lockdown: Record<string, unknown>): Promise<Candidate> {
  const t = createTestApp('host');
  apps.push(t);
  const central = await t.app.context.candidate.central();
  const candidateId = await createUser(central.db, {
    email: `gate-${Date.now()}-${apps.length}@candidates.test`,
    role: 'candidate',
  });
  const examId = await createExam(central.db, {
    title: 'Integrity gate exam',
    type: 'SKL',
    difficulty: 4,
    keyQuestions: [{ question: 'What does a hash chain protect?', time_limit_s: 600 }],
    policy: { lockdown: { processScanIntervalS: 30, ...lockdown } },
    uploadMode: 'full',
    retentionDays: 30,
  });
  const { code } = await createEnrollmentCode(central.db, { candidateId, examId });
  await call(t.app, 'candidateEnroll', { code });
  return { t, app: t.app, store: await t.app.context.candidate.store(), examId };
}

function systemCheck(
  c: Candidate,
  sessionId: string,
  camera = 'Integrated Camera (04f2:b6dd)',
  devices: { kind: 'videoinput' | 'audioinput'; label: string }[] = [],
) {
  return call(c.app, 'candidateSystemCheck', {
    sessionId,
    camera: { ok: true, label: camera },
    microphone: { ok: true, label: 'Built-in Microphone', peakDb: -18 },
    displays: 1,
    cpuProbeMs: 30,
    mediaDevices: [{ kind: 'videoinput', label: camera }, ...devices],
  });
}

function chain(store: LocalStore, sessionId: string): { kind: string; data: Record<string, unknown> }[] {
  return (
    store.raw.prepare('SELECT body FROM events WHERE session_id = ? ORDER BY seq').all(sessionId) as {
      body: string;
    }[]
  ).map((r) => JSON.parse(r.body) as { kind: string; data: Record<string, unknown> });
}

function warnings(store: LocalStore, sessionId: string) {
  return (
    store.raw
      .prepare(
        'SELECT type, started_at, ended_at, details FROM warnings WHERE session_id = ? ORDER BY started_at',
      )
      .all(sessionId) as { type: string; started_at: string; ended_at: string | null; details: string }[]
  ).map((w) => ({ ...w, details: JSON.parse(w.details) as Record<string, unknown> }));
}

beforeAll(() =>
  registerLockdownOsSources({
    processes: { platform: 'linux', psList: async () => processes, siProcesses: async () => [] },
    system: recordedMachine,
    env: {},
  }),
);
afterEach(() => {
  registerExamLockdown(undefined);
  machine = 'si-physical-laptop.json';
  processes = CLEAN;
});
afterAll(async () => {
  registerLockdownOsSources(undefined);
  for (const t of apps) {
    await t.app.close();
    t.cleanup();
  }
});

describe('the pre-exam integrity gate', () => {
  it("refuses a virtual machine under virtualMachine: 'refuse' with its evidence, and a program started after the check", async () => {
    const c = await enrolledFor({ virtualMachine: 'refuse', forbiddenPrograms: 'refuse' });

    // On a VMware guest: the system check fails on that line, with the facts and what to do.
    machine = 'si-vmware.json';
    const first = await call(c.app, 'candidateConsent', { examId: c.examId, accepted: true });
    const check = await systemCheck(c, first.sessionId);
    expect(check.passed).toBe(false);
    const vm = check.items.find((i) => i.id === 'virtual_machine')!;
    expect(vm).toMatchObject({
      status: 'fail',
      action: expect.stringMatching(/physical computer/) as string,
    });
    expect(vm.detail).toMatch(/VMware/);
    expect(vm.evidence!.some((line) => /vmware/i.test(line))).toBe(true);
    // Every lockdown check is shown, each with its verdict.
    expect(check.items.map((i) => i.id)).toEqual(
      expect.arrayContaining([
        'forbidden_programs',
        'virtual_machine',
        'remote_session',
        'virtual_camera',
        'displays',
      ]),
    );
    // A renderer that asks to start anyway gets the refusal, with the evidence and what to do.
    const refused = await dispatch(c.app, 'candidateBeginInterview', { sessionId: first.sessionId });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'REFUSED',
        message: expect.stringMatching(/cannot start on this computer.*physical computer/) as string,
        details: { checks: [expect.objectContaining({ check: 'virtual_machine' })] },
      },
    });
    const refusedDetails = (
      refused as unknown as { error: { details: { checks: { evidence: unknown[] }[] } } }
    ).error.details;
    expect(refusedDetails.checks[0]!.evidence.length).toBeGreaterThan(0);
    const verify = await dispatch(c.app, 'candidateVerifyId', {
      sessionId: first.sessionId,
      card: new Uint8Array(8),
      live: new Uint8Array(8),
    });
    expect(verify).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    // On a physical computer the check passes; OBS started afterwards is refused by main at the start.
    machine = 'si-physical-laptop.json';
    const second = await call(c.app, 'candidateConsent', { examId: c.examId, accepted: true });
    expect((await systemCheck(c, second.sessionId)).passed).toBe(true);
    processes = [...CLEAN, OBS];
    const atStart = await dispatch(c.app, 'candidateBeginInterview', { sessionId: second.sessionId });
    expect(atStart).toMatchObject({
      ok: false,
      error: { code: 'REFUSED', message: expect.stringContaining('Close OBS Studio') as string },
    });
    const kinds = chain(c.store, second.sessionId).map((e) => e.kind);
    expect(kinds).toContain('exam_refused');
    expect(kinds).not.toContain('interview_started');
    // Closed: the exam starts.
    processes = CLEAN;
    const state = await call(c.app, 'candidateBeginInterview', { sessionId: second.sessionId });
    expect(state.sessionId).toBe(second.sessionId);
    await call(c.app, 'candidateFinish', { sessionId: second.sessionId });
  }, 180_000);

  it("lets a 'warn' VM start with a warning, flags a virtual camera by its label, and raises a program's warning when it appears", async () => {
    const c = await enrolledFor({ virtualMachine: 'warn' });
    machine = 'si-vmware.json';
    // The shell's exam lockdown and its monitor (Electron's window, screen and power are fakes; the
    // scan schedule is the test's, so each scan happens when the test says).
    let monitor: LockdownMonitor | undefined;
    const manual: Scheduler = { every: () => ({ cancel: () => undefined }) };
    registerExamLockdown(
      createExamLockdown({
        window: new FakeWindow(),
        webContents: new FakeEmitter(),
        screen: new FakeScreen(),
        powerMonitor: new FakeEmitter(),
        powerSaveBlocker: new FakePowerSaveBlocker(),
        clipboard: new FakeClipboard(),
        sink: lockdownWarningHub,
        platform: 'linux',
        createMonitor: (policy) => {
          monitor = createLockdownMonitor({
            probes: deviceLockdownProbes(),
            policy,
            sink: lockdownWarningHub,
            scheduler: manual,
            skipWarnings: ['displays'],
          });
          return monitor;
        },
      }),
    );

    const { sessionId } = await call(c.app, 'candidateConsent', { examId: c.examId, accepted: true });
    const check = await systemCheck(c, sessionId, 'Integrated Camera (04f2:b6dd)', [
      { kind: 'videoinput', label: 'OBS Virtual Camera' },
      { kind: 'audioinput', label: 'Built-in Microphone' },
    ]);
    // Both findings warn: the check passes and says what the proctor will see.
    expect(check.passed).toBe(true);
    expect(check.items.find((i) => i.id === 'virtual_machine')).toMatchObject({
      status: 'warn',
      action: expect.stringContaining('the proctor will see a warning') as string,
    });
    const camera = check.items.find((i) => i.id === 'virtual_camera')!;
    expect(camera).toMatchObject({ status: 'warn', detail: 'Virtual camera present: OBS Virtual Camera' });
    expect(camera.evidence).toEqual(['videoinput[1].label: OBS Virtual Camera (OBS Virtual Camera)']);

    await call(c.app, 'candidateBeginInterview', { sessionId });
    // The warnings of the start: the VM and the virtual camera the renderer's labels showed.
    await vi.waitFor(
      () =>
        expect(
          warnings(c.store, sessionId)
            .map((w) => w.type)
            .sort(),
        ).toEqual(['virtual_camera', 'vm_detected']),
      { timeout: 60_000 },
    );
    const gate = chain(c.store, sessionId).find((e) => e.kind === 'integrity_gate')!;
    expect(gate.data.checks).toEqual(
      expect.arrayContaining([
        { check: 'virtual_machine', status: 'violation', decision: 'warn' },
        { check: 'virtual_camera', status: 'violation', decision: 'warn' },
      ]),
    );
    await vi.waitFor(() =>
      expect(
        chain(c.store, sessionId)
          .filter((e) => e.kind === 'lockdown_check')
          .map((e) => (e.data as unknown as CheckResult).check),
      ).toContain('virtual_camera'),
    );

    // OBS starts mid-exam: its warning is there at the first scan that sees it, still open.
    const beforeStart = Date.now();
    processes = [...CLEAN, OBS];
    await monitor!.scan();
    const seenBy = Date.now();
    const open = () => warnings(c.store, sessionId).find((w) => w.type === 'blocked_process');
    await vi.waitFor(() => expect(open()).toBeDefined());
    expect(open()!.ended_at).toBeNull();
    expect(Date.parse(open()!.started_at)).toBeGreaterThanOrEqual(beforeStart);
    expect(Date.parse(open()!.started_at)).toBeLessThanOrEqual(seenBy);
    expect(open()!.details).toMatchObject({ finding: { product: 'OBS Studio', pid: 4242 } });

    // OBS closes: the same warning ends there, its start unchanged.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const beforeClose = Date.now();
    processes = CLEAN;
    await monitor!.scan();
    await vi.waitFor(() => expect(open()!.ended_at).not.toBeNull());
    const closed = warnings(c.store, sessionId).filter((w) => w.type === 'blocked_process');
    expect(closed).toHaveLength(1);
    expect(Date.parse(closed[0]!.started_at)).toBeLessThanOrEqual(seenBy);
    expect(Date.parse(closed[0]!.ended_at!)).toBeGreaterThanOrEqual(beforeClose);
    await call(c.app, 'candidateFinish', { sessionId });
  }, 180_000);
});
