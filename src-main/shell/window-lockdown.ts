// Puts the candidate window into exam lockdown as the exam's policy says — kiosk, fullscreen,
// always on top above everything, hidden from screen capture, not minimizable or movable — and
// takes it out again. Kiosk mode on macOS also disables Cmd+Tab and the Dock.
import type { LockdownPolicy } from '../lockdown/policy';

/** The part of Electron's BrowserWindow this module uses. */
export interface LockdownWindowLike {
  setKiosk(flag: boolean): void;
  setFullScreen(flag: boolean): void;
  setAlwaysOnTop(flag: boolean, level?: 'screen-saver' | 'normal'): void;
  setContentProtection(enable: boolean): void;
  setMinimizable(flag: boolean): void;
  setMovable(flag: boolean): void;
  setResizable(flag: boolean): void;
  setSkipTaskbar(flag: boolean): void;
  isDestroyed(): boolean;
  focus(): void;
}

export type WindowLockdownPolicy = Pick<
  LockdownPolicy,
  'kiosk' | 'fullscreen' | 'alwaysOnTop' | 'contentProtection'
>;

export function applyWindowLockdown(window: LockdownWindowLike, policy: WindowLockdownPolicy): () => void {
  if (policy.contentProtection) window.setContentProtection(true);
  if (policy.kiosk) window.setKiosk(true);
  if (policy.fullscreen) window.setFullScreen(true);
  if (policy.alwaysOnTop) window.setAlwaysOnTop(true, 'screen-saver');
  window.setMinimizable(false);
  window.setMovable(false);
  window.setResizable(false);
  window.setSkipTaskbar(true);
  window.focus();
  return () => {
    if (window.isDestroyed()) return;
    if (policy.alwaysOnTop) window.setAlwaysOnTop(false, 'normal');
    if (policy.fullscreen) window.setFullScreen(false);
    if (policy.kiosk) window.setKiosk(false);
    window.setMinimizable(true);
    window.setMovable(true);
    window.setResizable(true);
    window.setSkipTaskbar(false);
    // Content protection stays on: exam content may still be on screen after the exam.
  };
}
