// The lockdown system check through the real dispatcher and real probes (ps-list, systeminformation).
import { afterEach, describe, expect, it } from 'vitest';
import {
  lastMediaDevices,
  registerDisplayProbe,
  registerExamLockdown,
} from '../../../src-main/lockdown/port';
import { parseLockdownPolicy } from '../../../src-main/lockdown/policy';
import { createTestApp, type TestApp } from '../../support/app';

const ctx = { transport: 'host' as const, origin: 'test' };
let t: TestApp | undefined;
afterEach(() => {
  registerDisplayProbe(undefined);
  registerExamLockdown(undefined);
  t?.cleanup();
});

interface CheckOut {
  check: string;
  status: string;
  evidence: { value: string }[];
}

describe('runLockdownChecks call', () => {
  it('runs every detector; the browser host reports displays unavailable and no desktop lockdown', async () => {
    t = createTestApp('host');
    const result = await t.app.dispatcher.dispatch(
      'runLockdownChecks',
      { mediaDevices: [{ kind: 'videoinput', label: 'OBS Virtual Camera' }] },
      ctx,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { results, lockdownAvailable } = result.value as {
      results: CheckOut[];
      lockdownAvailable: boolean;
    };
    expect(lockdownAvailable).toBe(false);
    const byCheck = Object.fromEntries(results.map((r) => [r.check, r]));
    expect(Object.keys(byCheck).sort()).toEqual([
      'displays',
      'process_scan',
      'remote_session',
      'virtual_camera',
      'virtual_machine',
    ]);
    expect(byCheck.virtual_camera).toMatchObject({
      status: 'violation',
      evidence: [{ value: 'OBS Virtual Camera' }],
    });
    expect(byCheck.displays?.status).toBe('check_unavailable');
    expect(byCheck.process_scan?.status).not.toBe('check_unavailable');
    // Kept for the checks repeated during the exam, which cannot enumerate cameras themselves.
    expect(lastMediaDevices()).toEqual([{ kind: 'videoinput', label: 'OBS Virtual Camera' }]);
  });

  it('uses the displays and lockdown the Electron shell registers', async () => {
    t = createTestApp('electron');
    registerDisplayProbe(() => [
      { id: '1', label: 'Built-in' },
      { id: '2', label: 'HDMI-1' },
    ]);
    registerExamLockdown({ enter: (p) => parseLockdownPolicy(p), exit: () => undefined, active: false });
    const result = await t.app.dispatcher.dispatch('runLockdownChecks', {}, ctx);
    if (!result.ok) throw new Error(result.error.message);
    const { results, lockdownAvailable } = result.value as {
      results: CheckOut[];
      lockdownAvailable: boolean;
    };
    expect(lockdownAvailable).toBe(true);
    expect(results.find((r) => r.check === 'displays')?.status).toBe('violation');
    // No camera labels sent: reported as unavailable, not passed.
    expect(results.find((r) => r.check === 'virtual_camera')?.status).toBe('check_unavailable');
  });

  it('refuses malformed device lists', async () => {
    t = createTestApp('host');
    const tooLong = await t.app.dispatcher.dispatch(
      'runLockdownChecks',
      { mediaDevices: [{ kind: 'videoinput', label: 'x'.repeat(300) }] },
      ctx,
    );
    expect(tooLong).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const wrongKind = await t.app.dispatcher.dispatch(
      'runLockdownChecks',
      { mediaDevices: [{ kind: 'screen', label: 'x' }] },
      ctx,
    );
    expect(wrongKind).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });
});
