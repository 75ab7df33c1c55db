// The real inputs of the detectors: ps-list for processes and systeminformation for hardware.
// Each part is read on its own with a time limit, so one failing or hanging call marks only that
// part unavailable instead of failing (or passing) the whole check.
import psList from 'ps-list';
import si from 'systeminformation';
import type { ProcessInfo } from './process-scan';
import { SNAPSHOT_PARTS, type SnapshotPart, type SystemSnapshot } from './system-snapshot';

const PART_TIMEOUT_MS = 15_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Where process lists come from (injectable so the platform choice is tested on any OS). */
export interface ProcessSources {
  platform: string;
  psList(): Promise<{ pid: number; ppid?: number; name: string; path?: string; cmd?: string }[]>;
  siProcesses(): Promise<
    { pid: number; parentPid?: number; name: string; path?: string; command?: string }[]
  >;
}

export const realProcessSources: ProcessSources = {
  platform: process.platform,
  psList: () => psList({ all: true }),
  siProcesses: async () => (await si.processes()).list,
};

/**
 * Running processes with their executable paths where the OS gives them. On Windows ps-list has
 * names only, so systeminformation's CIM query (ExecutablePath) is used first: without paths a
 * renamed copy could only be caught by name.
 */
export async function listProcesses(sources: ProcessSources = realProcessSources): Promise<ProcessInfo[]> {
  if (sources.platform === 'win32') {
    try {
      const list = await withTimeout(sources.siProcesses(), PART_TIMEOUT_MS, 'process list (CIM)');
      if (list.length > 0)
        return list.map((p) => ({
          pid: p.pid,
          ...(p.parentPid !== undefined ? { ppid: p.parentPid } : {}),
          name: p.name,
          ...(p.path ? { path: p.path } : {}),
          ...(p.command ? { cmd: p.command } : {}),
        }));
    } catch {
      // Fall back to ps-list below: names only, still a real scan.
    }
  }
  const list = await withTimeout(sources.psList(), PART_TIMEOUT_MS, 'process list');
  return list.map((p) => ({
    pid: p.pid,
    ...(p.ppid !== undefined ? { ppid: p.ppid } : {}),
    name: p.name,
    ...(p.path ? { path: p.path } : {}),
    ...(p.cmd ? { cmd: p.cmd } : {}),
  }));
}

const REMOTE_ENV_KEYS = ['SESSIONNAME', 'SSH_CONNECTION', 'SSH_CLIENT'] as const;

export interface SystemReaders {
  system(): Promise<SystemSnapshot['system']>;
  bios(): Promise<SystemSnapshot['bios']>;
  baseboard(): Promise<SystemSnapshot['baseboard']>;
  cpu(): Promise<SystemSnapshot['cpu']>;
  networkInterfaces(): Promise<SystemSnapshot['networkInterfaces']>;
  graphics(): Promise<SystemSnapshot['graphics']>;
  disks(): Promise<SystemSnapshot['disks']>;
}

export const systeminformationReaders: SystemReaders = {
  system: () => si.system(),
  bios: () => si.bios(),
  baseboard: () => si.baseboard(),
  cpu: async () => {
    const [cpu, flags] = await Promise.all([si.cpu(), si.cpuFlags()]);
    return { manufacturer: cpu.manufacturer, brand: cpu.brand, flags, virtualization: cpu.virtualization };
  },
  networkInterfaces: async () => {
    const result = await si.networkInterfaces();
    return Array.isArray(result) ? result : [result];
  },
  graphics: () => si.graphics(),
  disks: () => si.diskLayout(),
};

function readPart(readers: SystemReaders, part: SnapshotPart): Promise<unknown> {
  switch (part) {
    case 'system':
      return readers.system();
    case 'bios':
      return readers.bios();
    case 'baseboard':
      return readers.baseboard();
    case 'cpu':
      return readers.cpu();
    case 'networkInterfaces':
      return readers.networkInterfaces();
    case 'graphics':
      return readers.graphics();
    case 'disks':
      return readers.disks();
  }
}

export async function collectSystemSnapshot(
  readers: SystemReaders = systeminformationReaders,
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = PART_TIMEOUT_MS,
): Promise<SystemSnapshot> {
  const snapshot: SystemSnapshot = { platform: process.platform, unavailable: {} };
  await Promise.all(
    SNAPSHOT_PARTS.map(async (part) => {
      try {
        const value = await withTimeout(readPart(readers, part), timeoutMs, `systeminformation ${part}()`);
        (snapshot as Record<string, unknown>)[part] = value;
      } catch (error) {
        snapshot.unavailable![part] = error instanceof Error ? error.message : String(error);
      }
    }),
  );
  snapshot.environment = Object.fromEntries(REMOTE_ENV_KEYS.filter((k) => env[k]).map((k) => [k, env[k]]));
  return snapshot;
}
