import { describe, expect, it } from 'vitest';
import type { LockdownWarning } from '../../../src-main/lockdown/types';
import { createExamLockdown } from '../../../src-main/shell/exam-lockdown';
import {
  FakeClipboard,
  FakeEmitter,
  FakePowerSaveBlocker,
  FakeScreen,
  FakeWindow,
  key,
  preventable,
} from '../../support/electron-fakes';

function setup(platform = 'win32') {
  let clock = Date.parse('2026-01-10T09:00:00.000Z');
  const warnings: LockdownWarning[] = [];
  const deps = {
    window: new FakeWindow(),
    webContents: new FakeEmitter(),
    screen: new FakeScreen(),
    powerMonitor: new FakeEmitter(),
    powerSaveBlocker: new FakePowerSaveBlocker(),
    clipboard: new FakeClipboard(),
    sink: { emit: (w: LockdownWarning) => warnings.push(w) },
    platform,
    now: () => clock,
  };
  const lockdown = createExamLockdown(deps);
  return { deps, lockdown, warnings, advance: (ms: number) => (clock += ms) };
}

describe('exam lockdown in the shell', () => {
  it('locks the window down from policy and releases it on exit', () => {
    const { deps, lockdown } = setup();
    lockdown.enter({});
    expect(deps.window.calls).toEqual([
      'setContentProtection(true)',
      'setKiosk(true)',
      'setFullScreen(true)',
      'setAlwaysOnTop(true,"screen-saver")',
      'setMinimizable(false)',
      'setMovable(false)',
      'setResizable(false)',
      'setSkipTaskbar(true)',
      'focus()',
    ]);
    expect(lockdown.active).toBe(true);
    deps.window.calls.length = 0;
    lockdown.exit();
    expect(deps.window.calls).toEqual([
      'setAlwaysOnTop(false,"normal")',
      'setFullScreen(false)',
      'setKiosk(false)',
      'setMinimizable(true)',
      'setMovable(true)',
      'setResizable(true)',
      'setSkipTaskbar(false)',
    ]);
    expect(lockdown.active).toBe(false);
  });

  it('follows a relaxed policy: no kiosk, fullscreen or always-on-top, no sleep blocker', () => {
    const { deps, lockdown } = setup();
    lockdown.enter({ kiosk: false, fullscreen: false, alwaysOnTop: false, preventSleep: false });
    expect(deps.window.calls.some((c) => /setKiosk|setFullScreen|setAlwaysOnTop/.test(c))).toBe(false);
    expect(deps.window.calls).toContain('setContentProtection(true)');
    expect(deps.powerSaveBlocker.started.size).toBe(0);
  });

  it('prevents display sleep during the exam only', () => {
    const { deps, lockdown } = setup();
    lockdown.enter({});
    expect([...deps.powerSaveBlocker.started.values()]).toEqual(['prevent-display-sleep']);
    lockdown.exit();
    expect(deps.powerSaveBlocker.started.size).toBe(0);
  });

  it('intercepts shortcuts and the close button, reporting each attempt', () => {
    const { deps, lockdown, warnings } = setup();
    lockdown.enter({});
    const devtools = preventable();
    deps.webContents.emit('before-input-event', devtools, key('I', { control: true, shift: true }));
    const paste = preventable();
    deps.webContents.emit('before-input-event', paste, key('v', { control: true }));
    const typing = preventable();
    deps.webContents.emit('before-input-event', typing, key('a'));
    const close = preventable();
    deps.window.emit('close', close);
    expect([devtools.prevented, paste.prevented, typing.prevented, close.prevented]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    expect(warnings.map((w) => [w.type, w.details.shortcut ?? null])).toEqual([
      ['shortcut_blocked', 'Control+Shift+I (dev tools)'],
      ['shortcut_blocked', 'Control+V (clipboard)'],
      ['close_blocked', null],
    ]);
    lockdown.exit();
    const after = preventable();
    deps.webContents.emit('before-input-event', after, key('I', { control: true, shift: true }));
    deps.window.emit('close', preventable());
    expect(after.prevented).toBe(false);
    expect(warnings).toHaveLength(3);
  });

  it('detects uninterceptable task switches through focus loss, with duration, and clears the clipboard on return', () => {
    const { deps, lockdown, warnings, advance } = setup();
    deps.clipboard.text = 'cheat sheet';
    lockdown.enter({ clipboard: 'block' });
    expect(deps.clipboard.text).toBe('');
    advance(5_000);
    deps.window.emit('blur'); // Alt+Tab
    advance(7_000);
    deps.clipboard.text = 'copied elsewhere';
    deps.window.emit('focus');
    expect(deps.clipboard.text).toBe('');
    expect(warnings).toEqual([
      expect.objectContaining({
        type: 'focus_lost',
        severity: 'medium',
        startedAt: '2026-01-10T09:00:05.000Z',
        endedAt: '2026-01-10T09:00:12.000Z',
        durationMs: 7_000,
      }),
    ]);
  });

  it('turns display and power events into warnings and closes open ones at exit', () => {
    const { deps, lockdown, warnings, advance } = setup();
    lockdown.enter({});
    advance(1_000);
    deps.screen.displays = [{ id: 1 }, { id: 2 }];
    deps.screen.emit('display-added', {}, { id: 2 });
    advance(30_000);
    deps.screen.displays = [{ id: 1 }];
    deps.screen.emit('display-removed', {}, { id: 2 });
    deps.screen.emit('display-metrics-changed', {}, { id: 1 }, ['scaleFactor']);
    deps.powerMonitor.emit('lock-screen');
    advance(2_000);
    deps.powerMonitor.emit('suspend');
    advance(90_000);
    deps.powerMonitor.emit('resume');
    advance(1_000);
    deps.powerMonitor.emit('unlock-screen');
    deps.window.emit('blur');
    advance(4_000);
    lockdown.exit();
    expect(warnings.map((w) => [w.type, w.durationMs, w.severity])).toEqual([
      ['display_added', 30_000, 'high'],
      ['display_changed', 0, 'low'],
      ['system_suspended', 90_000, 'high'],
      ['screen_locked', 93_000, 'high'],
      ['focus_lost', 4_000, 'medium'],
    ]);
    expect(warnings.at(-1)?.details.openAtExamEnd).toBe(true);
    // Every listener is removed on exit.
    for (const emitter of [deps.window, deps.webContents, deps.screen, deps.powerMonitor])
      expect(emitter.count()).toBe(0);
  });

  it('flags a second display already connected when the exam starts', () => {
    const { deps, lockdown, warnings, advance } = setup();
    deps.screen.displays = [{ id: 1 }, { id: 7 }];
    lockdown.enter({});
    advance(10_000);
    lockdown.exit();
    expect(warnings.map((w) => [w.type, w.durationMs, w.details.displayId])).toEqual([
      ['display_added', 10_000, '7'],
    ]);
  });

  it('isolates the clipboard across a task switch', () => {
    const { deps, lockdown } = setup();
    deps.clipboard.text = 'outside';
    lockdown.enter({ clipboard: 'isolated' });
    deps.clipboard.text = 'inside draft';
    deps.window.emit('blur');
    expect(deps.clipboard.text).toBe('');
    deps.clipboard.text = 'from a chat';
    deps.window.emit('focus');
    expect(deps.clipboard.text).toBe('inside draft');
    const paste = preventable();
    deps.webContents.emit('before-input-event', paste, key('v', { control: true }));
    expect(paste.prevented).toBe(false);
  });

  it('starts the detectors monitor with the parsed policy on entry and stops it on exit', () => {
    const t = setup();
    const calls: string[] = [];
    const lockdown = createExamLockdown({
      ...t.deps,
      createMonitor: (policy) => {
        calls.push(`create:${policy.processScanIntervalS}`);
        return {
          start: async () => {
            calls.push('start');
            return [];
          },
          scan: async () => undefined,
          stop: () => calls.push('stop'),
        };
      },
    });
    lockdown.enter({ processScanIntervalS: 60 });
    expect(calls).toEqual(['create:60', 'start']);
    lockdown.exit();
    expect(calls).toEqual(['create:60', 'start', 'stop']);
  });

  it('refuses an invalid policy and a second entry', () => {
    const { lockdown } = setup();
    expect(() => lockdown.enter({ clipboard: 'maybe' })).toThrow();
    expect(lockdown.active).toBe(false);
    lockdown.enter({});
    expect(() => lockdown.enter({})).toThrow(/already active/);
  });
});
