import { describe, expect, it } from 'vitest';
import { createClipboardGuard, type ClipboardLike } from '../../../src-main/lockdown/clipboard-guard';

function fakeClipboard(initial = ''): ClipboardLike & { text: string } {
  return {
    text: initial,
    readText() {
      return this.text;
    },
    writeText(text: string) {
      this.text = text;
    },
    clear() {
      this.text = '';
    },
  };
}

describe('clipboard policy', () => {
  it('allow: never touches the clipboard', () => {
    const clipboard = fakeClipboard('notes from outside');
    const guard = createClipboardGuard('allow', clipboard);
    guard.enter();
    guard.blur();
    guard.focus();
    guard.exit();
    expect(clipboard.text).toBe('notes from outside');
    expect(guard.blocksShortcuts).toBe(false);
  });

  it('block: clears on entry and on every focus return, and blocks the shortcuts', () => {
    const clipboard = fakeClipboard('notes from outside');
    const guard = createClipboardGuard('block', clipboard);
    guard.enter();
    expect(clipboard.text).toBe('');
    guard.blur();
    clipboard.writeText('copied from a browser during the exam');
    guard.focus();
    expect(clipboard.text).toBe('');
    expect(guard.blocksShortcuts).toBe(true);
  });

  it('isolated: copy/paste works inside, nothing crosses in or out', () => {
    const clipboard = fakeClipboard('notes from outside');
    const guard = createClipboardGuard('isolated', clipboard);
    guard.enter();
    expect(clipboard.text).toBe(''); // outside content does not come in
    clipboard.writeText('my own answer draft'); // candidate copies inside the exam
    guard.blur();
    expect(clipboard.text).toBe(''); // exam content does not leave
    clipboard.writeText('pasted from a chat window');
    guard.focus();
    expect(clipboard.text).toBe('my own answer draft'); // outside content dropped, exam content back
    guard.exit();
    expect(clipboard.text).toBe('');
    expect(guard.blocksShortcuts).toBe(false);
  });

  it('does nothing before entry or after exit', () => {
    const clipboard = fakeClipboard('x');
    const guard = createClipboardGuard('block', clipboard);
    guard.focus();
    guard.blur();
    expect(clipboard.text).toBe('x');
  });
});
