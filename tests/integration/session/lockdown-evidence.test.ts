// The candidate session with the exam lockdown: the session enters and leaves lockdown with the
// interview, a scripted focus loss and a forbidden program become proctoring warnings with their
// durations, and the start evidence (app build, policy hash, every lockdown check, unavailable ones
// included) is in the session's hash chain, which verifies. Real SQLite, the real interview flow,
// the shell's real exam lockdown and monitor; Electron's window/screen/power objects are the small
// fakes of tests/support/electron-fakes.ts and the detectors read recorded process lists and
// systeminformation output. The face analyser is never asked (no frames are sent).
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { VigilError } from '../../../src-main/errors';
import { systemMonotonicClock } from '../../../src-main/interview/clock';
import { InterviewSessionFlow } from '../../../src-main/interview/session-flow';
import { InterviewRepository } from '../../../src-main/interview/session-repository';
import { canonicalJson, type AppBuildPayload } from '../../../src-main/lockdown/evidence-events';
import {
  createLockdownMonitor,
  type LockdownMonitor,
  type Scheduler,
} from '../../../src-main/lockdown/monitor';
import { parseLockdownPolicy } from '../../../src-main/lockdown/policy';
import { lockdownWarningHub, registerExamLockdown } from '../../../src-main/lockdown/port';
import type { ProcessInfo } from '../../../src-main/lockdown/process-scan';
import type { LockdownProbes } from '../../../src-main/lockdown/run-checks';
import type { SystemSnapshot } from '../../../src-main/lockdown/system-snapshot';
import type { CheckResult } from '../../../src-main/lockdown/types';
import type { FaceAnalyzer } from '../../../src-main/proctoring/face-analyzer';
import { resolvePolicy, type PolicyOverrides } from '../../../src-main/proctoring/policy';
import { CandidateService } from '../../../src-main/session/candidate-service';
import { BROWSER_MODE_REASON } from '../../../src-main/session/session-evidence';
import { createExamLockdown } from '../../../src-main/shell/exam-lockdown';
import { createTokenVaults } from '../../../src-main/store/device-credentials';
import { saveEnrollment } from '../../../src-main/store/enrollments';
import { verifyChain } from '../../../src-main/store/event-chain';
import { cacheExam, type CachedExam } from '../../../src-main/store/exam-cache';
import { openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
import { memoryLogger } from '../../support/app';
import {
  FakeClipboard,
  FakeEmitter,
  FakePowerSaveBlocker,
  FakeScreen,
  FakeWindow,
} from '../../support/electron-fakes';
import { lockdownFixture } from '../../support/lockdown-fixtures';
import { makeTempDir } from '../../support/temp-dir';
import { sealedExam } from '../../support/sealed-exam';

const EXAM_ID = '5b0f6c36-3f57-4c43-9d0b-2a7f0d9a51e1';
const LOCKDOWN_INPUT = { clipboard: 'block', processScanIntervalS: 30 };
const BUILD: AppBuildPayload = {
  appVersion: '0.1.0',
  buildHash: 'ab'.repeat(32),
  platform: 'linux',
  arch: 'x64',
  origin: 'bundles',
};

const temp = makeTempDir('vigil-lockdown-evidence-');
let store: LocalStore;
let service: CandidateService;
let processes: ProcessInfo[];
const processList = (name: string) => lockdownFixture<{ processes: ProcessInfo[] }>(name).processes;

const probes: LockdownProbes = {
  listProcesses: async () => processes,
  systemSnapshot: async () =>
    lockdownFixture<{ snapshot: SystemSnapshot }>('si-physical-laptop.json').snapshot,
  // The renderer has not reported its cameras: the virtual-camera check cannot run.
  mediaDevices: async () => undefined,
  displays: async () => [{ id: '1', label: 'Built-in', internal: true }],
};

// The face analyser is the one part not exercised here: no frame is sent.
const idleAnalyzer: FaceAnalyzer = {
  versions: { detector: 'none', human: 'none', tfjs: 'none', backend: 'none', models: [] },
  analyze: () => Promise.reject(new Error('no frames in this test')),
  stats: () => Promise.reject(new Error('no frames in this test')),
  onInterrupted: () => () => undefined,
  close: async () => undefined,
};

/** The server is unreachable in this suite: the exam starts with its start code (offline start). */
const START_CODE = 'ROOM-CODE-0001';

beforeAll(async () => {
  store = await openLocalStore(path.join(temp.dir, 'vigil.db'));
  const { fetched } = await sealedExam(
    {
      id: EXAM_ID,
      title: 'Lockdown exam',
      type: 'SKL',
      difficulty: 5,
      keyQuestions: [{ question: 'What is a hash chain?', time_limit_s: 300 }],
      policy: { lockdown: LOCKDOWN_INPUT },
      retentionDays: 30,
      uploadMode: 'full',
    },
    { startCode: START_CODE },
  );
  store.write('cache exam', (tx) => {
    saveEnrollment(tx, {
      deviceId: randomUUID(),
      candidateId: randomUUID(),
      examId: EXAM_ID,
      tokenStorage: 'file',
      enrolledAt: new Date().toISOString(),
      expiresAt: null,
    });
    cacheExam(tx, fetched);
  });
  const audioDir = path.join(temp.dir, 'answers');
  service = new CandidateService({
    store,
    tokens: createTokenVaults(temp.dir),
    central: () => Promise.reject(new VigilError('UNAVAILABLE', 'offline in this test')),
    versionGate: () => undefined,
    versionBlock: () => null,
    pingCentral: async () => false,
    analyzer: async () => idleAnalyzer,
    analysisReady: () => ({ ok: true, detail: 'face models present' }),
    policyFor: (exam: CachedExam) => resolvePolicy(exam.policy),
    verifyId: () => Promise.reject(new Error('no ID check in this test')),
    startInterview: async (sessionId, exam) =>
      InterviewSessionFlow.start(
        { repo: new InterviewRepository(store), clock: systemMonotonicClock, audioDir },
        {
          sessionId,
          exam: {
            id: exam.id,
            title: exam.title,
            type: exam.type,
            difficulty: exam.difficulty,
            key_questions: exam.keyQuestions,
            resume_id: null,
            job_listing_id: null,
            proctoring_policy: exam.policy,
          },
        },
      ),
    resumeInterview: (sessionId) =>
      InterviewSessionFlow.resume(
        { repo: new InterviewRepository(store), clock: systemMonotonicClock, audioDir },
        sessionId,
      ),
    freeBytes: async () => 50 * 2 ** 30,
    receiptsFor: () => 0,
    emit: () => undefined,
    snapshotsDir: path.join(temp.dir, 'snapshots'),
    configuredFps: 2,
    bitsPerSecond: 1_064_000,
    logger: memoryLogger([]),
    evidence: { appBuild: async () => BUILD, probes, ownPids: [] },
  });
});

afterEach(() => registerExamLockdown(undefined));

afterAll(async () => {
  await service?.close();
  await store?.close();
  temp.cleanup();
});

/** Consent and a passing system check: the session is ready for the interview. */
async function readySession(): Promise<string> {
  const { sessionId } = await service.consent(EXAM_ID, START_CODE);
  const check = await service.systemCheck({
    sessionId,
    // Camera permission withheld the labels: the virtual-camera check cannot tell.
    camera: { ok: true, label: '' },
    microphone: { ok: true, label: 'Built-in Microphone', peakDb: -18 },
    displays: 1,
    cpuProbeMs: 20,
  });
  expect(check.passed).toBe(true);
  return sessionId;
}

function chain(sessionId: string): { kind: string; data: Record<string, unknown> }[] {
  const rows = store.raw
    .prepare('SELECT body FROM events WHERE session_id = ? ORDER BY seq')
    .all(sessionId) as { body: string }[];
  return rows.map((r) => JSON.parse(r.body) as { kind: string; data: Record<string, unknown> });
}

function checks(sessionId: string): CheckResult[] {
  return chain(sessionId)
    .filter((e) => e.kind === 'lockdown_check')
    .map((e) => e.data as unknown as CheckResult);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('candidate session under exam lockdown', () => {
  it('turns a focus loss and a forbidden program into warnings with durations and chains the start evidence', async () => {
    const sessionId = await readySession();
    processes = processList('processes-linux-renamed-obs.json');
    let clock = Date.now() + 5_000;
    let monitor: LockdownMonitor | undefined;
    const manualScheduler: Scheduler = { every: () => ({ cancel: () => undefined }) };
    const window = new FakeWindow();
    const lockdown = createExamLockdown({
      window,
      webContents: new FakeEmitter(),
      screen: new FakeScreen(),
      powerMonitor: new FakeEmitter(),
      powerSaveBlocker: new FakePowerSaveBlocker(),
      clipboard: new FakeClipboard(),
      sink: lockdownWarningHub,
      platform: 'linux',
      now: () => clock,
      createMonitor: (policy) => {
        monitor = createLockdownMonitor({
          probes,
          policy,
          sink: lockdownWarningHub,
          ownPids: [],
          now: () => clock,
          scheduler: manualScheduler,
          skipWarnings: ['displays'],
        });
        return monitor;
      },
    });
    registerExamLockdown(lockdown);

    await service.beginInterview(sessionId);
    expect(lockdown.active).toBe(true);
    expect(window.calls).toContain('setKiosk(true)');
    // Every detector's first result reaches the chain (the monitor runs them in the background).
    await vi.waitFor(() => expect(checks(sessionId)).toHaveLength(5));

    // Alt+Tab away for 4 s, then the forbidden program closes 60 s after the start.
    clock += 2_000;
    window.emit('blur');
    clock += 4_000;
    window.emit('focus');
    clock += 54_000;
    processes = processList('processes-linux-clean.json');
    await monitor!.scan();

    await service.finish(sessionId, undefined);
    expect(lockdown.active).toBe(false);

    const warnings = (
      store.raw
        .prepare(
          'SELECT type, started_at, ended_at, details FROM warnings WHERE session_id = ? ORDER BY type',
        )
        .all(sessionId) as { type: string; started_at: string; ended_at: string | null; details: string }[]
    ).map((w) => ({
      type: w.type,
      durationMs: Date.parse(w.ended_at!) - Date.parse(w.started_at),
      details: JSON.parse(w.details) as Record<string, unknown>,
    }));
    expect(warnings.map((w) => [w.type, w.durationMs])).toEqual([
      ['blocked_process', 60_000],
      // The camera check that could not run is a warning of its own, never a silent pass.
      ['check_unavailable', 0],
      ['focus_lost', 4_000],
    ]);
    expect(warnings[1]!.details).toMatchObject({ check: 'virtual_camera', detector: 'lockdown' });
    expect(warnings[0]!.details).toMatchObject({
      detector: 'lockdown',
      lockdownType: 'blocked_process',
      finding: { product: 'OBS Studio', pid: 31877 },
    });

    // The chain: app build, both policies with their hash, every check result with its evidence.
    const events = chain(sessionId);
    const kinds = events.map((e) => e.kind);
    expect(kinds.slice(0, 7)).toEqual([
      'session_started',
      'consent_recorded',
      'system_check',
      'interview_started',
      // The analysis rate of the whole exam and why (issue 17 item 7), in the start's transaction.
      'analysis_rate',
      'app_build',
      'lockdown_policy',
    ]);
    expect(events[5]!.data).toEqual(BUILD);
    const policy = events[6]!.data as {
      available: boolean;
      policy: { lockdown: unknown; proctoring: unknown };
      policyHash: string;
      lockdownPolicyHash: string;
    };
    const lockdownPolicy = parseLockdownPolicy(LOCKDOWN_INPUT);
    const proctoringPolicy = resolvePolicy({ lockdown: LOCKDOWN_INPUT } as PolicyOverrides);
    expect(policy.available).toBe(true);
    expect(policy.policy.lockdown).toEqual(lockdownPolicy);
    expect(policy.lockdownPolicyHash).toBe(sha256(canonicalJson(lockdownPolicy)));
    expect(policy.policyHash).toBe(
      sha256(canonicalJson({ lockdown: lockdownPolicy, proctoring: proctoringPolicy })),
    );
    const results = checks(sessionId);
    expect(results.map((r) => [r.check, r.status])).toEqual(
      expect.arrayContaining([
        ['process_scan', 'violation'],
        ['virtual_machine', 'pass'],
        ['remote_session', 'pass'],
        ['virtual_camera', 'check_unavailable'],
        ['displays', 'pass'],
      ]),
    );
    // The rescan that saw the program gone is evidence too.
    expect(results.at(-1)).toMatchObject({ check: 'process_scan', status: 'pass' });
    const scan = results.find((r) => r.check === 'process_scan' && r.status === 'violation')!;
    expect(scan.confidence).toBeGreaterThan(0.5);
    expect(scan.evidence.some((e) => e.value.includes('obs-studio'))).toBe(true);
    expect(results.find((r) => r.check === 'virtual_camera')!.details.reason).toBeTruthy();
    expect(kinds.indexOf('lockdown_check')).toBeGreaterThan(kinds.indexOf('lockdown_policy'));
    expect(verifyChain(store, sessionId)).toMatchObject({ ok: true, events: events.length });
  });

  it('records in browser mode that lockdown was unavailable, and still runs and chains every check', async () => {
    const sessionId = await readySession();
    processes = processList('processes-linux-clean.json');
    await service.beginInterview(sessionId);
    // finish waits for the background checks before the session ends.
    await service.finish(sessionId, undefined);

    const events = chain(sessionId);
    const policy = events.find((e) => e.kind === 'lockdown_policy')!.data;
    expect(policy).toMatchObject({ available: false, reason: BROWSER_MODE_REASON });
    expect(events.find((e) => e.kind === 'app_build')!.data).toEqual(BUILD);
    expect(checks(sessionId).map((r) => [r.check, r.status])).toEqual([
      ['process_scan', 'pass'],
      ['virtual_machine', 'pass'],
      ['remote_session', 'pass'],
      ['virtual_camera', 'check_unavailable'],
      ['displays', 'pass'],
    ]);
    expect(events.findIndex((e) => e.kind === 'lockdown_check')).toBeLessThan(
      events.findIndex((e) => e.kind === 'session_finished'),
    );
    expect(verifyChain(store, sessionId).ok).toBe(true);
    const warnings = store.raw
      .prepare('SELECT count(*) AS n FROM warnings WHERE session_id = ?')
      .get(sessionId) as {
      n: number;
    };
    expect(warnings.n).toBe(0);
  });
});
