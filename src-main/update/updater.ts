// What the app needs from auto-update, as an interface: the Electron shell implements it with
// electron-updater (src-main/shell/auto-updater.ts); the headless host and tests use `noUpdater`.
// Staged rollout is server-side: electron-updater reads `stagingPercentage` from latest*.yml and
// puts each installation in or out of the stage with a stable per-machine id.
export type UpdateState =
  | { state: 'disabled'; reason: string }
  | { state: 'idle' }
  | { state: 'checking' }
  | { state: 'up-to-date'; version: string }
  | { state: 'downloading'; version: string; percent: number }
  | { state: 'downloaded'; version: string }
  | { state: 'error'; message: string };

export interface Updater {
  /** Checks the update server; downloads in the background when a newer version is staged for us. */
  check(): Promise<UpdateState>;
  status(): UpdateState;
  /** Restarts into the downloaded version (no-op unless status is `downloaded`). */
  installAndRestart(): void;
  onChange(listener: (state: UpdateState) => void): () => void;
}

export interface UpdateSettings {
  enabled: boolean;
  url?: string;
  channel: string;
}

export function noUpdater(reason: string): Updater {
  const state: UpdateState = { state: 'disabled', reason };
  return {
    check: async () => state,
    status: () => state,
    installAndRestart: () => undefined,
    onChange: () => () => undefined,
  };
}
