import { describe, expect, it } from 'vitest';
import { decideShortcut, describeKeys } from '../../../src-main/shell/shortcuts';
import { key } from '../../support/electron-fakes';

const win = { platform: 'win32', blockClipboard: true };
const mac = { platform: 'darwin', blockClipboard: true };
const blocked = (input: ReturnType<typeof key>, options = win) =>
  decideShortcut(input, options)?.block === true;

describe('shortcut interception', () => {
  it.each([
    ['F12', key('F12')],
    ['Ctrl+Shift+I', key('I', { control: true, shift: true })],
    ['Ctrl+Shift+J', key('J', { control: true, shift: true })],
    ['F5', key('F5')],
    ['Ctrl+R', key('r', { control: true })],
    ['Alt+F4', key('F4', { alt: true })],
    ['Ctrl+W', key('w', { control: true })],
    ['Ctrl+P', key('p', { control: true })],
    ['Ctrl+U', key('u', { control: true })],
    ['Ctrl+N', key('n', { control: true })],
    ['F11', key('F11')],
    ['Ctrl+C', key('c', { control: true })],
    ['Ctrl+V', key('v', { control: true })],
    ['Shift+Insert', key('Insert', { shift: true })],
  ])('blocks %s on Windows/Linux', (_name, input) => {
    expect(blocked(input)).toBe(true);
  });

  it.each([
    ['Cmd+Alt+I', key('i', { meta: true, alt: true })],
    ['Cmd+Q', key('q', { meta: true })],
    ['Cmd+W', key('w', { meta: true })],
    ['Cmd+H', key('h', { meta: true })],
    ['Cmd+M', key('m', { meta: true })],
    ['Cmd+R', key('r', { meta: true })],
    ['Ctrl+Cmd+F', key('f', { meta: true, control: true })],
    ['Cmd+V', key('v', { meta: true })],
  ])('blocks %s on macOS', (_name, input) => {
    expect(blocked(input, mac)).toBe(true);
  });

  it('lets typing, editing keys, zoom and Escape through', () => {
    for (const input of [
      key('a'),
      key('A', { shift: true }),
      key('Backspace'),
      key('Enter'),
      key('Escape'),
      key('Tab'),
      key('=', { control: true }),
      key('-', { control: true }),
      key('z', { control: true }),
      key('a', { control: true }),
    ])
      expect(blocked(input)).toBe(false);
  });

  it('allows copy/paste when the clipboard policy allows it, and only acts on key down', () => {
    expect(blocked(key('c', { control: true }), { platform: 'win32', blockClipboard: false })).toBe(false);
    expect(blocked(key('F12', {}, 'keyUp'))).toBe(false);
    // Ctrl+R on macOS is not reload; Cmd+R is.
    expect(blocked(key('r', { control: true }), mac)).toBe(false);
  });

  it('names the keys and the reason', () => {
    expect(decideShortcut(key('i', { control: true, shift: true }), win)?.name).toBe(
      'Control+Shift+I (dev tools)',
    );
    expect(describeKeys(key('F4', { alt: true }))).toBe('Alt+F4');
  });
});
