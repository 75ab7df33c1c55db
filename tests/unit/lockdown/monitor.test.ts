import { describe, expect, it } from 'vitest';
import { createLockdownMonitor, type Scheduler } from '../../../src-main/lockdown/monitor';
import { parseLockdownPolicy } from '../../../src-main/lockdown/policy';
import type { ProcessInfo } from '../../../src-main/lockdown/process-scan';
import type { LockdownProbes } from '../../../src-main/lockdown/run-checks';
import type { SystemSnapshot } from '../../../src-main/lockdown/system-snapshot';
import type { CheckResult, LockdownWarning } from '../../../src-main/lockdown/types';
import { lockdownFixture } from '../../support/lockdown-fixtures';

const T0 = Date.parse('2026-01-10T09:00:00.000Z');

function setup(
  snapshotFile = 'si-physical-laptop.json',
  skipWarnings: ('displays' | 'virtual_machine')[] = [],
  gate: Record<string, string> = {},
) {
  let clock = T0;
  let processes: ProcessInfo[] | Error = [{ pid: 1, name: 'systemd' }];
  const warnings: LockdownWarning[] = [];
  const results: CheckResult[] = [];
  const ticks: { ms: number; task: () => void; cancelled: boolean }[] = [];
  const scheduler: Scheduler = {
    every(ms, task) {
      const tick = { ms, task, cancelled: false };
      ticks.push(tick);
      return { cancel: () => (tick.cancelled = true) };
    },
  };
  const probes: LockdownProbes = {
    listProcesses: async () => {
      if (processes instanceof Error) throw processes;
      return processes;
    },
    systemSnapshot: async () => lockdownFixture<{ snapshot: SystemSnapshot }>(snapshotFile).snapshot,
    mediaDevices: async () => [{ kind: 'videoinput', label: 'Integrated Camera' }],
    displays: async () => [{ id: '1' }, { id: '2' }],
  };
  const monitor = createLockdownMonitor({
    probes,
    policy: parseLockdownPolicy({ processScanIntervalS: 30, ...gate }),
    sink: { emit: (w) => warnings.push(w) },
    onResult: (r) => results.push(r),
    ownPids: [],
    now: () => clock,
    scheduler,
    skipWarnings,
  });
  return {
    monitor,
    warnings,
    results,
    ticks,
    advance: (ms: number) => (clock += ms),
    setProcesses: (list: ProcessInfo[] | Error) => (processes = list),
  };
}

describe('lockdown monitor over an exam', () => {
  it('runs every check at the start, records each result, and rescans processes on the policy interval', async () => {
    const t = setup();
    const initial = await t.monitor.start();
    expect(initial.map((r) => r.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'violation']);
    expect(t.results).toHaveLength(5);
    expect(t.warnings.map((w) => w.type)).toEqual(['multiple_displays']);
    expect(t.ticks.map((tick) => tick.ms)).toEqual([30_000]);
    t.monitor.stop();
    expect(t.ticks[0]?.cancelled).toBe(true);
  });

  it('leaves warnings of checks reported elsewhere to them (the shell tracks displays)', async () => {
    const t = setup('si-physical-laptop.json', ['displays']);
    const initial = await t.monitor.start();
    expect(initial.find((r) => r.check === 'displays')?.status).toBe('violation');
    expect(t.warnings).toEqual([]);
    t.monitor.stop();
  });

  it('turns a blocked program into one warning from first to last sighting, reported open as soon as it is seen', async () => {
    const t = setup('si-physical-laptop.json', ['displays']);
    await t.monitor.start();
    t.advance(30_000);
    t.setProcesses([
      { pid: 1, name: 'systemd' },
      { pid: 4242, name: 'anydesk', path: '/usr/bin/anydesk' },
    ]);
    await t.monitor.scan();
    // Reported at once, while it runs: started when first seen, no end yet.
    const opened: unknown = expect.objectContaining({
      type: 'blocked_process',
      key: 'process_scan:anydesk:4242',
      severity: 'high',
      startedAt: '2026-01-10T09:00:30.000Z',
      endedAt: null,
      durationMs: null,
      confidence: 0.9,
    });
    expect(t.warnings).toEqual([opened]);
    t.advance(30_000);
    await t.monitor.scan(); // still running: no new warning
    expect(t.warnings).toEqual([opened]);
    t.advance(30_000);
    t.setProcesses([{ pid: 1, name: 'systemd' }]);
    await t.monitor.scan();
    expect(t.warnings).toEqual([
      opened,
      expect.objectContaining({
        type: 'blocked_process',
        key: 'process_scan:anydesk:4242',
        severity: 'high',
        startedAt: '2026-01-10T09:00:30.000Z',
        endedAt: '2026-01-10T09:01:30.000Z',
        durationMs: 60_000,
        confidence: 0.9,
      }),
    ]);
    for (const warning of t.warnings)
      expect(warning.details).toMatchObject({
        finding: { product: 'AnyDesk', pid: 4242 },
        evidence: [{ source: 'process[4242].name', value: 'anydesk' }],
      });
    t.monitor.stop();
    expect(t.warnings).toHaveLength(2);
  });

  it('raises no warning for what the exam allows, and still records the results', async () => {
    const t = setup('si-vmware-reflecthost.json', ['displays'], {
      virtualMachine: 'allow',
      forbiddenPrograms: 'allow',
    });
    t.setProcesses([{ pid: 9, name: 'Discord.exe' }]);
    await t.monitor.start();
    t.advance(30_000);
    t.setProcesses(new Error('ps-list: spawn EACCES'));
    await t.monitor.scan();
    t.advance(30_000);
    await t.monitor.scan();
    t.monitor.stop();
    expect(t.warnings).toEqual([]);
    expect(t.results.filter((r) => r.status !== 'pass').map((r) => r.check)).toEqual([
      'process_scan',
      'virtual_machine',
      'displays',
      'process_scan',
      'process_scan',
    ]);
  });

  it('closes programs still running when the exam ends, and reports a VM at the start', async () => {
    const t = setup('si-vmware-reflecthost.json', ['displays']);
    t.setProcesses([{ pid: 9, name: 'Discord.exe' }]);
    await t.monitor.start();
    expect(t.warnings.map((w) => [w.type, w.severity, w.endedAt === null])).toEqual([
      ['blocked_process', 'medium', true],
      ['vm_detected', 'high', false],
    ]);
    t.advance(45_000);
    t.monitor.stop();
    expect(t.warnings[2]).toMatchObject({ type: 'blocked_process', severity: 'medium', durationMs: 45_000 });
    expect(t.warnings[2]?.details.openAtExamEnd).toBe(true);
  });

  it('reports a process scan outage as a check_unavailable interval, never as a pass', async () => {
    const t = setup('si-physical-laptop.json', ['displays']);
    await t.monitor.start();
    t.advance(30_000);
    t.setProcesses(new Error('ps-list: spawn EACCES'));
    await t.monitor.scan();
    t.advance(30_000);
    await t.monitor.scan();
    t.advance(30_000);
    t.setProcesses([{ pid: 1, name: 'systemd' }]);
    await t.monitor.scan();
    expect(t.warnings).toEqual([
      expect.objectContaining({
        type: 'check_unavailable',
        startedAt: '2026-01-10T09:00:30.000Z',
        durationMs: 60_000,
        details: { check: 'process_scan', reason: 'ps-list: spawn EACCES' },
      }),
    ]);
    expect(t.results.filter((r) => r.status === 'check_unavailable')).toHaveLength(2);
  });

  it('runs the scheduled scan and never two at once', async () => {
    const t = setup();
    await t.monitor.start();
    const before = t.results.length;
    const tick = t.ticks[0]!;
    tick.task();
    tick.task(); // the first scan is still pending: this tick starts nothing
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.results.length - before).toBe(1);
    tick.task();
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.results.length - before).toBe(2);
    t.monitor.stop();
  });
});
