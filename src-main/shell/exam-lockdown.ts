// Exam lockdown in the Electron shell: on entry it locks the window down, blocks sleep, applies the
// clipboard policy, intercepts shortcuts and the close button, and starts turning focus, display
// and power events into warnings; on exit it undoes all of it and closes open intervals. Written
// against small interfaces so that the whole sequence is unit-tested with fakes.
import { createClipboardGuard, type ClipboardLike } from '../lockdown/clipboard-guard';
import type { LockdownMonitor } from '../lockdown/monitor';
import { parseLockdownPolicy, type LockdownPolicy } from '../lockdown/policy';
import type { LockdownEvent, LockdownWarningSink } from '../lockdown/types';
import { createViolationTracker } from '../lockdown/violations';
import {
  bindLockdownEvents,
  type PowerMonitorLike,
  type ScreenLike,
  type WindowEventsLike,
} from './lockdown-events';
import { preventSleep, type PowerSaveBlockerLike } from './power';
import { installShortcutGuard, type InputWebContentsLike } from './shortcuts';
import { applyWindowLockdown, type LockdownWindowLike } from './window-lockdown';

export interface CloseEventLike {
  preventDefault(): void;
}

/** The window's close event, prevented during an exam (Alt+F4, the close button, Cmd+Q). */
export interface ClosableWindowLike {
  on(event: 'close', listener: (event: CloseEventLike) => void): unknown;
  removeListener(event: 'close', listener: (event: CloseEventLike) => void): unknown;
}

export interface ExamLockdownDeps {
  window: LockdownWindowLike & WindowEventsLike & ClosableWindowLike;
  webContents: InputWebContentsLike;
  screen: ScreenLike;
  powerMonitor: PowerMonitorLike;
  powerSaveBlocker: PowerSaveBlockerLike;
  clipboard: ClipboardLike;
  sink: LockdownWarningSink;
  platform: string;
  now?: () => number;
  /** The detectors over the exam (process rescans, VM, remote session, cameras), started on entry. */
  createMonitor?: (policy: LockdownPolicy) => LockdownMonitor;
}

export interface ExamLockdown {
  enter(policyInput: unknown): LockdownPolicy;
  exit(): void;
  readonly active: boolean;
}

export function createExamLockdown(deps: ExamLockdownDeps): ExamLockdown {
  const now = deps.now ?? Date.now;
  let cleanup: (() => void)[] = [];
  let finish: (() => void) | undefined;

  return {
    get active() {
      return finish !== undefined;
    },
    enter(policyInput) {
      if (finish) throw new Error('The exam lockdown is already active.');
      const policy = parseLockdownPolicy(policyInput);
      const tracker = createViolationTracker(deps.sink, { maxDisplays: policy.maxDisplays });
      const clipboard = createClipboardGuard(policy.clipboard, deps.clipboard);
      const handle = (event: LockdownEvent) => {
        if (event.kind === 'blur') clipboard.blur();
        if (event.kind === 'focus') clipboard.focus();
        tracker.handle(event);
      };

      cleanup = [];
      cleanup.push(applyWindowLockdown(deps.window, policy));
      if (policy.preventSleep) cleanup.push(preventSleep(deps.powerSaveBlocker));
      clipboard.enter();
      cleanup.push(() => clipboard.exit());
      cleanup.push(
        installShortcutGuard(
          deps.webContents,
          { platform: deps.platform, blockClipboard: clipboard.blocksShortcuts },
          (shortcut) => handle({ kind: 'shortcut-blocked', at: now(), shortcut }),
        ),
      );
      const onClose = (event: CloseEventLike) => {
        event.preventDefault();
        handle({ kind: 'close-blocked', at: now() });
      };
      deps.window.on('close', onClose);
      cleanup.push(() => deps.window.removeListener('close', onClose));
      cleanup.push(
        bindLockdownEvents(
          { window: deps.window, screen: deps.screen, powerMonitor: deps.powerMonitor, now },
          handle,
        ),
      );
      // A second display already connected at entry is a violation from the first second.
      const displays = deps.screen.getAllDisplays();
      if (displays.length > policy.maxDisplays)
        handle({
          kind: 'display-added',
          at: now(),
          displayId: String(displays[displays.length - 1]?.id),
          displayCount: displays.length,
        });
      const monitor = deps.createMonitor?.(policy);
      if (monitor) {
        // Its results and warnings go to the sink itself; a probe failure there is check_unavailable.
        void monitor.start();
        cleanup.push(() => monitor.stop());
      }
      finish = () => tracker.finish(now());
      return policy;
    },
    exit() {
      if (!finish) return;
      for (const undo of cleanup.reverse()) undo();
      cleanup = [];
      finish();
      finish = undefined;
    },
  };
}
