// Subscribes to the window, screen and power-monitor events that matter during an exam and turns
// them into platform-neutral lockdown events (src-main/lockdown/types.ts) with their time.
import type { LockdownEvent } from '../lockdown/types';

/** The part of Electron's BrowserWindow these events need. */
export interface WindowEventsLike {
  on(event: 'blur' | 'focus', listener: () => void): unknown;
  removeListener(event: 'blur' | 'focus', listener: () => void): unknown;
}

/** The part of Electron's powerMonitor these events need. */
export interface PowerMonitorLike {
  on(event: 'suspend' | 'resume' | 'lock-screen' | 'unlock-screen', listener: () => void): unknown;
  removeListener(
    event: 'suspend' | 'resume' | 'lock-screen' | 'unlock-screen',
    listener: () => void,
  ): unknown;
}

export interface DisplayLike {
  id: number;
  label?: string;
  internal?: boolean;
  bounds?: { x: number; y: number; width: number; height: number };
}

type DisplayListener = (event: unknown, display: DisplayLike) => void;
type MetricsListener = (event: unknown, display: DisplayLike, changedMetrics: string[]) => void;

/** The part of Electron's screen module these events need. */
export interface ScreenLike {
  on(event: 'display-added', listener: DisplayListener): unknown;
  on(event: 'display-removed', listener: DisplayListener): unknown;
  on(event: 'display-metrics-changed', listener: MetricsListener): unknown;
  removeListener(event: 'display-added', listener: DisplayListener): unknown;
  removeListener(event: 'display-removed', listener: DisplayListener): unknown;
  removeListener(event: 'display-metrics-changed', listener: MetricsListener): unknown;
  getAllDisplays(): DisplayLike[];
}

export interface LockdownEventSources {
  window: WindowEventsLike;
  screen: ScreenLike;
  powerMonitor: PowerMonitorLike;
  now: () => number;
}

export function bindLockdownEvents(
  sources: LockdownEventSources,
  handle: (event: LockdownEvent) => void,
): () => void {
  const { window, screen, powerMonitor, now } = sources;
  const unbind: (() => void)[] = [];
  const count = () => screen.getAllDisplays().length;

  const onBlur = () => handle({ kind: 'blur', at: now() });
  const onFocus = () => handle({ kind: 'focus', at: now() });
  window.on('blur', onBlur);
  window.on('focus', onFocus);
  unbind.push(
    () => window.removeListener('blur', onBlur),
    () => window.removeListener('focus', onFocus),
  );

  const onAdded: DisplayListener = (_event, display) =>
    handle({ kind: 'display-added', at: now(), displayId: String(display.id), displayCount: count() });
  const onRemoved: DisplayListener = (_event, display) =>
    handle({ kind: 'display-removed', at: now(), displayId: String(display.id), displayCount: count() });
  const onChanged: MetricsListener = (_event, display, changes) =>
    handle({ kind: 'display-changed', at: now(), displayId: String(display.id), changes });
  screen.on('display-added', onAdded);
  screen.on('display-removed', onRemoved);
  screen.on('display-metrics-changed', onChanged);
  unbind.push(
    () => screen.removeListener('display-added', onAdded),
    () => screen.removeListener('display-removed', onRemoved),
    () => screen.removeListener('display-metrics-changed', onChanged),
  );

  for (const kind of ['suspend', 'resume', 'lock-screen', 'unlock-screen'] as const) {
    const listener = () => handle({ kind, at: now() });
    powerMonitor.on(kind, listener);
    unbind.push(() => powerMonitor.removeListener(kind, listener));
  }
  return () => {
    for (const off of unbind.splice(0)) off();
  };
}
