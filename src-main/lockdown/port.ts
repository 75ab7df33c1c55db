// How plain-Node services reach the shell's exam lockdown without importing electron: the Electron
// shell registers its implementation here at start; the headless host registers none, and callers
// then report lockdown as unavailable rather than pretending it is on. Lockdown warnings fan out to
// subscribers (the proctoring pipeline, the session's event chain).
import type { DisplayInfo } from './displays';
import type { AppBuildPayload } from './evidence-events';
import type { ProcessSources, SystemReaders } from './probes';
import type { MediaDeviceLabel } from './virtual-camera';
import type { LockdownPolicy } from './policy';
import type { CheckResult, LockdownWarning, LockdownWarningSink } from './types';

export interface ExamLockdownPort {
  enter(policy: unknown): LockdownPolicy;
  exit(): void;
  readonly active: boolean;
}

let registered: ExamLockdownPort | undefined;
let displayProbe: (() => DisplayInfo[]) | undefined;
let appBuild: AppBuildPayload | undefined;
let mediaDevices: MediaDeviceLabel[] | undefined;
let osSources: LockdownOsSources | undefined;
const listeners = new Set<(warning: LockdownWarning) => void>();
const resultListeners = new Set<(result: CheckResult) => void>();

export function registerExamLockdown(port: ExamLockdownPort | undefined): void {
  registered = port;
}

export function examLockdownPort(): ExamLockdownPort | undefined {
  return registered;
}

/** The shell registers the running build (version and hash of its bundles) for app_build evidence. */
export function registerAppBuild(build: AppBuildPayload | undefined): void {
  appBuild = build;
}

export function currentAppBuild(): AppBuildPayload | undefined {
  return appBuild;
}

/** The shell registers Electron's screen here; without it the display check is unavailable. */
export function registerDisplayProbe(probe: (() => DisplayInfo[]) | undefined): void {
  displayProbe = probe;
}

export function currentDisplays(): DisplayInfo[] | undefined {
  return displayProbe?.();
}

/**
 * The operating system as the detectors read it (ps-list, systeminformation, the environment).
 * Nothing registers these in the app, which then reads the real machine; tests register recorded
 * machines here, the one double at the OS edge.
 */
export interface LockdownOsSources {
  processes?: ProcessSources;
  system?: SystemReaders;
  env?: NodeJS.ProcessEnv;
}

export function registerLockdownOsSources(sources: LockdownOsSources | undefined): void {
  osSources = sources;
}

export function lockdownOsSources(): LockdownOsSources {
  return osSources ?? {};
}

/** The renderer's camera labels from its last system check (only the renderer can enumerate them). */
export function rememberMediaDevices(devices: MediaDeviceLabel[] | undefined): void {
  if (devices) mediaDevices = devices;
}

export function lastMediaDevices(): MediaDeviceLabel[] | undefined {
  return mediaDevices;
}

export function onLockdownWarning(listener: (warning: LockdownWarning) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The sink the shell hands to its detectors: every warning goes to every subscriber. */
export const lockdownWarningHub: LockdownWarningSink = {
  emit(warning) {
    for (const listener of listeners) listener(warning);
  },
};

/** Every detector result of the exam-time monitor, for the session's evidence chain. */
export function onLockdownResult(listener: (result: CheckResult) => void): () => void {
  resultListeners.add(listener);
  return () => resultListeners.delete(listener);
}

export function publishLockdownResult(result: CheckResult): void {
  for (const listener of resultListeners) listener(result);
}
