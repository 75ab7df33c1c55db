// Runs every lockdown detector once (before an exam and periodically during it). Each detector is
// guarded: a probe that throws, times out or has no data yields `check_unavailable`, never a pass.
import { runGuarded, unavailable } from './check-result';
import { checkDisplays, type DisplayInfo } from './displays';
import type { LockdownPolicy } from './policy';
import type { ProcessCategory } from './process-blocklist';
import { scanProcesses, type ProcessInfo } from './process-scan';
import type { SystemSnapshot } from './system-snapshot';
import type { CheckResult } from './types';
import { detectVirtualCameras, type MediaDeviceLabel } from './virtual-camera';
import { detectRemoteSession, detectVirtualMachine } from './vm-detect';

export interface LockdownProbes {
  listProcesses(): Promise<ProcessInfo[]>;
  systemSnapshot(): Promise<SystemSnapshot>;
  /** Camera labels from the renderer; undefined when the renderer has not reported them. */
  mediaDevices(): Promise<MediaDeviceLabel[] | undefined>;
  /** Displays from the shell; undefined outside Electron. */
  displays(): Promise<DisplayInfo[] | undefined>;
}

export async function runLockdownChecks(
  probes: LockdownProbes,
  policy: Pick<LockdownPolicy, 'blockedCategories' | 'maxDisplays' | 'allowedApps'>,
  options: { ownPids?: number[] } = {},
): Promise<CheckResult[]> {
  const snapshot = probes.systemSnapshot().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({
      ok: false as const,
      reason: error instanceof Error ? error.message : String(error),
    }),
  );
  return Promise.all([
    runGuarded('process_scan', async () =>
      scanProcesses(await probes.listProcesses(), {
        categories: policy.blockedCategories as ProcessCategory[],
        allowedApps: policy.allowedApps,
        ownPids: options.ownPids ?? [process.pid, process.ppid],
      }),
    ),
    runGuarded('virtual_machine', async () => {
      const s = await snapshot;
      return s.ok ? detectVirtualMachine(s.value) : unavailable('virtual_machine', s.reason);
    }),
    runGuarded('remote_session', async () => {
      const s = await snapshot;
      return s.ok ? detectRemoteSession(s.value) : unavailable('remote_session', s.reason);
    }),
    runGuarded('virtual_camera', async () => detectVirtualCameras(await probes.mediaDevices())),
    runGuarded('displays', async () => checkDisplays(await probes.displays(), policy.maxDisplays)),
  ]);
}
