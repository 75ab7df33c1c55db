// The integrity gate's decision per check: what the exam's policy makes of a pass, a finding and a
// check that could not run, what the candidate is told to do, and the refusal the candidate sees.
import { describe, expect, it } from 'vitest';
import { unavailable, verdict } from '../../../src-main/lockdown/check-result';
import { applyGate, gateDecision, gateRefusal } from '../../../src-main/lockdown/gate';
import { parseLockdownPolicy } from '../../../src-main/lockdown/policy';
import { scanProcesses } from '../../../src-main/lockdown/process-scan';
import type { CheckName, CheckResult } from '../../../src-main/lockdown/types';
import { detectVirtualCameras } from '../../../src-main/lockdown/virtual-camera';
import { detectVirtualMachine } from '../../../src-main/lockdown/vm-detect';
import type { SystemSnapshot } from '../../../src-main/lockdown/system-snapshot';
import { gateItems } from '../../../src-main/session/integrity-gate';
import { lockdownFixture } from '../../support/lockdown-fixtures';

const vmware = () =>
  detectVirtualMachine(lockdownFixture<{ snapshot: SystemSnapshot }>('si-vmware.json').snapshot);
const found = (check: CheckName): CheckResult =>
  verdict(check, true, 0.9, [{ source: 'x', value: 'y', matched: 'z', weight: 0.9 }], `${check} found`);

const policyKeys: [CheckName, string][] = [
  ['virtual_machine', 'virtualMachine'],
  ['remote_session', 'remoteSession'],
  ['process_scan', 'forbiddenPrograms'],
  ['displays', 'extraDisplays'],
  ['virtual_camera', 'virtualCamera'],
];

describe('integrity gate decision per check', () => {
  it.each(policyKeys)('%s is decided by the exam policy key %s', (check, key) => {
    for (const action of ['allow', 'warn', 'refuse'] as const) {
      const policy = parseLockdownPolicy({ [key]: action });
      expect(gateDecision(found(check), policy)).toBe(action === 'allow' ? 'allowed' : action);
      expect(gateDecision(verdict(check, false, 0, [], 'clean'), policy)).toBe('pass');
      // A check that could not run never refuses: the device could not tell.
      expect(gateDecision(unavailable(check, 'no data'), policy)).toBe(
        action === 'allow' ? 'allowed' : 'unavailable',
      );
    }
  });

  it('defaults: extra displays refuse (as the system check always did), every other finding warns', () => {
    const policy = parseLockdownPolicy({});
    expect(policyKeys.map(([check]) => [check, gateDecision(found(check), policy)])).toEqual([
      ['virtual_machine', 'warn'],
      ['remote_session', 'warn'],
      ['process_scan', 'warn'],
      ['displays', 'refuse'],
      ['virtual_camera', 'warn'],
    ]);
  });

  it('refuses a virtual machine with its evidence and tells the candidate what to do', () => {
    const outcome = applyGate([vmware()], parseLockdownPolicy({ virtualMachine: 'refuse' }));
    expect(outcome.refused).toHaveLength(1);
    expect(outcome.refused[0]!.action).toMatch(/physical computer/);
    expect(outcome.refused[0]!.evidence.length).toBeGreaterThan(0);
    const error = gateRefusal(outcome.refused);
    expect(error.code).toBe('REFUSED');
    expect(error.message).toMatch(/cannot start on this computer.*VMware.*physical computer/);
    expect(error.details).toMatchObject({
      checks: [
        { check: 'virtual_machine', evidence: expect.arrayContaining([expect.anything()]) as unknown },
      ],
    });
    // The system check line fails and shows the facts behind it.
    const [item] = gateItems(outcome);
    expect(item).toMatchObject({ id: 'virtual_machine', status: 'fail' });
    expect(item!.evidence!.some((line) => /vmware/i.test(line))).toBe(true);
  });

  it('words each line for the decision: a warning may start, an allowed finding passes, an unknown warns', () => {
    const processes = scanProcesses([{ pid: 7, name: 'obs64.exe' }], { ownPids: [] });
    const cameras = detectVirtualCameras(
      lockdownFixture<{ devices: { kind: 'videoinput'; label: string }[] }>(
        'media-devices-obs-virtualcam.json',
      ).devices,
    );
    const items = gateItems(
      applyGate([processes, cameras, unavailable('remote_session', 'env unreadable'), vmware()], {
        ...parseLockdownPolicy({ virtualMachine: 'allow' }),
      }),
    );
    expect(items.map((i) => [i.id, i.status])).toEqual([
      ['forbidden_programs', 'warn'],
      ['virtual_camera', 'warn'],
      ['remote_session', 'warn'],
      ['virtual_machine', 'pass'],
    ]);
    expect(items[0]!.action).toBe(
      'Close OBS Studio, then try again. You may start, but the proctor will see a warning.',
    );
    expect(items[1]!.action).toMatch(/not OBS Virtual Camera/);
    expect(items[2]!.action).toMatch(/could not check/);
    expect(items[3]!.action).toBe('This exam allows it.');
  });
});
