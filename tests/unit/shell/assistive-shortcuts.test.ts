// The exam lockdown's shortcut guard never blocks the shortcuts that start or drive assistive
// technology or switch input methods (issue 20 item 5), while the lockdown's own blocks still hold.
import { describe, expect, it } from 'vitest';
import type { LockdownWarning } from '../../../src-main/lockdown/types';
import { createExamLockdown } from '../../../src-main/shell/exam-lockdown';
import { decideShortcut } from '../../../src-main/shell/shortcuts';
import {
  FakeClipboard,
  FakeEmitter,
  FakePowerSaveBlocker,
  FakeScreen,
  FakeWindow,
  key,
  preventable,
} from '../../support/electron-fakes';

const win = { platform: 'win32', blockClipboard: true };
const linux = { platform: 'linux', blockClipboard: true };
const mac = { platform: 'darwin', blockClipboard: true };

describe('assistive shortcuts inside lockdown', () => {
  it.each([
    ['Win+Ctrl+Enter (Narrator)', key('Enter', { meta: true, control: true }), win],
    ['Win+Ctrl+O (On-Screen Keyboard)', key('o', { meta: true, control: true }), win],
    ['Win+Ctrl+N (Narrator settings)', key('n', { meta: true, control: true }), win],
    ['Win+Ctrl+C (colour filters)', key('c', { meta: true, control: true }), win],
    ['Win+Ctrl+S (speech recognition)', key('s', { meta: true, control: true }), win],
    ['Win+Space (input method)', key(' ', { meta: true }), win],
    ['Ctrl+Space (IME on/off)', key(' ', { control: true }), win],
    ['Win+H (dictation)', key('h', { meta: true }), win],
    ['Win+Plus (Magnifier)', key('+', { meta: true }), win],
    ['Super+Alt+S (Orca)', key('s', { meta: true, alt: true }), linux],
    ['Ctrl+Space (fcitx/IBus)', key(' ', { control: true }), linux],
    ['Cmd+F5 (VoiceOver)', key('F5', { meta: true }), mac],
    ['Option+Cmd+F5 (accessibility shortcuts)', key('F5', { meta: true, alt: true }), mac],
    ['Ctrl+Option+Cmd+H (VoiceOver next heading)', key('h', { meta: true, control: true, alt: true }), mac],
    ['Ctrl+Space (input source)', key(' ', { control: true }), mac],
  ])('lets %s through', (_name, input, options) => {
    expect(decideShortcut(input, options)).toBeUndefined();
  });

  it.each([
    ['Ctrl+O', key('o', { control: true }), win],
    ['Ctrl+F5 (hard reload)', key('F5', { control: true }), win],
    ['F5', key('F5'), mac],
    ['Cmd+H', key('h', { meta: true }), mac],
    ['Ctrl+C', key('c', { control: true }), linux],
  ])('still blocks %s', (_name, input, options) => {
    expect(decideShortcut(input, options)?.block).toBe(true);
  });

  it('the kiosk lockdown passes Narrator and the On-Screen Keyboard to the OS and records nothing', () => {
    const window = new FakeWindow();
    const contents = new FakeEmitter();
    const warnings: LockdownWarning[] = [];
    const lockdown = createExamLockdown({
      window,
      webContents: contents,
      screen: new FakeScreen(),
      powerMonitor: new FakeEmitter(),
      powerSaveBlocker: new FakePowerSaveBlocker(),
      clipboard: new FakeClipboard(),
      sink: { emit: (w) => warnings.push(w) },
      platform: 'win32',
      now: () => 0,
    });
    lockdown.enter({});
    const press = (input: ReturnType<typeof key>) => {
      const event = preventable();
      contents.emit('before-input-event', event, input);
      return event.prevented;
    };
    expect(press(key('Enter', { meta: true, control: true }))).toBe(false);
    expect(press(key('o', { meta: true, control: true }))).toBe(false);
    expect(press(key(' ', { meta: true }))).toBe(false);
    expect(press(key('o', { control: true }))).toBe(true);
    lockdown.exit();
    // Only Ctrl+O was blocked, and only it became a warning.
    expect(warnings.map((w) => w.details.shortcut)).toEqual(['Control+O (print, save or view source)']);
  });
});
