// Clipboard policy during an exam. `allow` leaves it alone; `block` clears it on entry and whenever
// the window regains focus (so nothing copied outside can be pasted in); `isolated` lets the
// candidate copy and paste inside the exam but nothing crosses the boundary either way: outside
// content is dropped on entry and on focus return, and exam content is taken off the system
// clipboard while the window is not focused, then put back.
import type { ClipboardMode } from './policy';

/** The part of Electron's clipboard module the guard uses (text, images, everything via clear). */
export interface ClipboardLike {
  readText(): string;
  writeText(text: string): void;
  clear(): void;
}

export interface ClipboardGuard {
  readonly mode: ClipboardMode;
  enter(): void;
  blur(): void;
  focus(): void;
  exit(): void;
  /** Whether copy/cut/paste shortcuts must be blocked in the window. */
  readonly blocksShortcuts: boolean;
}

export function createClipboardGuard(mode: ClipboardMode, clipboard: ClipboardLike): ClipboardGuard {
  let examText: string | undefined;
  let active = false;
  return {
    mode,
    blocksShortcuts: mode === 'block',
    enter() {
      active = true;
      examText = undefined;
      if (mode !== 'allow') clipboard.clear();
    },
    blur() {
      if (!active || mode !== 'isolated') return;
      examText = clipboard.readText();
      clipboard.clear();
    },
    focus() {
      if (!active || mode === 'allow') return;
      clipboard.clear();
      if (mode === 'isolated' && examText) clipboard.writeText(examText);
    },
    exit() {
      if (active && mode !== 'allow') clipboard.clear();
      active = false;
      examText = undefined;
    },
  };
}
