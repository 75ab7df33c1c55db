// The detectors' inputs on this device, the one set both the desktop shell's exam monitor and the
// candidate session use: processes and hardware from the OS (or the recorded machine a test
// registered at the port), camera labels from the renderer's system check, displays from the shell.
import { collectSystemSnapshot, listProcesses } from './probes';
import { currentDisplays, lastMediaDevices, lockdownOsSources } from './port';
import type { LockdownProbes } from './run-checks';

export function deviceLockdownProbes(): LockdownProbes {
  return {
    listProcesses: () => listProcesses(lockdownOsSources().processes),
    systemSnapshot: () => {
      const os = lockdownOsSources();
      return collectSystemSnapshot(os.system, os.env);
    },
    mediaDevices: async () => lastMediaDevices(),
    displays: async () => currentDisplays(),
  };
}
