import { describe, expect, it } from 'vitest';
import { parseLockdownPolicy } from '../../../src-main/lockdown/policy';
import { collectSystemSnapshot, type SystemReaders } from '../../../src-main/lockdown/probes';
import { runLockdownChecks, type LockdownProbes } from '../../../src-main/lockdown/run-checks';
import type { SystemSnapshot } from '../../../src-main/lockdown/system-snapshot';
import { lockdownFixture } from '../../support/lockdown-fixtures';

const policy = parseLockdownPolicy({});

function probes(overrides: Partial<LockdownProbes>): LockdownProbes {
  return {
    listProcesses: async () => [{ pid: 10, name: 'bash' }],
    systemSnapshot: async () =>
      lockdownFixture<{ snapshot: SystemSnapshot }>('si-physical-laptop.json').snapshot,
    mediaDevices: async () => [{ kind: 'videoinput', label: 'Integrated Camera' }],
    displays: async () => [{ id: '1' }],
    ...overrides,
  };
}

describe('running all lockdown checks', () => {
  it('runs the five detectors and passes a clean physical machine', async () => {
    const results = await runLockdownChecks(probes({}), policy, { ownPids: [] });
    expect(results.map((r) => [r.check, r.status])).toEqual([
      ['process_scan', 'pass'],
      ['virtual_machine', 'pass'],
      ['remote_session', 'pass'],
      ['virtual_camera', 'pass'],
      ['displays', 'pass'],
    ]);
  });

  it('never fails open: a detector that throws or has no input reports check_unavailable', async () => {
    const results = await runLockdownChecks(
      probes({
        listProcesses: async () => {
          throw new Error('ps: permission denied');
        },
        systemSnapshot: async () => {
          throw new Error('systeminformation crashed');
        },
        mediaDevices: async () => undefined,
        displays: async () => undefined,
      }),
      policy,
    );
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('check_unavailable'));
    expect(results[0]?.details.reason).toBe('ps: permission denied');
    expect(results[1]?.details.reason).toBe('systeminformation crashed');
  });

  it('collects a snapshot part by part: a failing or hanging reader marks only that part unavailable', async () => {
    const laptop = lockdownFixture<{ snapshot: SystemSnapshot }>('si-physical-laptop.json').snapshot;
    const readers: SystemReaders = {
      system: async () => laptop.system,
      bios: async () => {
        throw new Error('dmidecode: permission denied');
      },
      baseboard: () => new Promise(() => undefined),
      cpu: async () => laptop.cpu,
      networkInterfaces: async () => laptop.networkInterfaces,
      graphics: async () => laptop.graphics,
      disks: async () => laptop.disks,
    };
    const snapshot = await collectSystemSnapshot(readers, { SSH_CONNECTION: '1 2 3 4', HOME: '/root' }, 50);
    expect(snapshot.unavailable).toEqual({
      bios: 'dmidecode: permission denied',
      baseboard: 'systeminformation baseboard() did not answer within 50 ms',
    });
    expect(snapshot.system).toEqual(laptop.system);
    expect(snapshot.environment).toEqual({ SSH_CONNECTION: '1 2 3 4' });
  });

  it('validates the exam policy strictly with strict defaults', () => {
    expect(policy).toMatchObject({
      kiosk: true,
      contentProtection: true,
      clipboard: 'block',
      maxDisplays: 1,
    });
    expect(() => parseLockdownPolicy({ clipboard: 'sometimes' })).toThrow();
    expect(() => parseLockdownPolicy({ kiosks: true })).toThrow();
  });
});
