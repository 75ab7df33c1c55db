// The subset of systeminformation's answers the VM and remote-session heuristics read. Every part
// is optional: a part that could not be read is listed in `unavailable` so that the verdict says
// which evidence was missing instead of passing silently.

export interface SystemInfo {
  manufacturer: string;
  model: string;
  version?: string | null;
  serial?: string | null;
  uuid?: string | null;
  sku?: string | null;
  /** systeminformation's own VM guess (from the same DMI strings). */
  virtual?: boolean | null;
  virtualHost?: string | null;
}

export interface BiosInfo {
  vendor: string;
  version: string;
  releaseDate?: string | null;
  revision?: string | null;
}

export interface BaseboardInfo {
  manufacturer: string;
  model: string;
  version?: string | null;
  serial?: string | null;
}

export interface CpuInfo {
  manufacturer: string;
  brand: string;
  /** Space-separated CPU flags (Linux /proc/cpuinfo style). */
  flags: string;
  virtualization?: boolean | null;
}

export interface NetworkInterfaceInfo {
  iface: string;
  ifaceName?: string | null;
  mac: string;
  /** systeminformation marks software interfaces (bridges, tunnels, host-only adapters). */
  virtual?: boolean | null;
  internal?: boolean | null;
  type?: string | null;
  operstate?: string | null;
}

export interface GraphicsController {
  vendor: string;
  model: string;
  vendorId?: string | null;
  deviceId?: string | null;
  subDeviceId?: string | null;
  pciID?: string | null;
  bus?: string | null;
}

export interface GraphicsDisplay {
  vendor?: string | null;
  model: string;
  deviceName?: string | null;
  main?: boolean | null;
  builtin?: boolean | null;
  connection?: string | null;
}

export interface GraphicsInfo {
  controllers: GraphicsController[];
  displays: GraphicsDisplay[];
}

export interface DiskInfo {
  name: string;
  vendor?: string | null;
  type?: string | null;
  interfaceType?: string | null;
}

/** The parts the probes read and the VM detector weighs. */
export const SNAPSHOT_PARTS = [
  'system',
  'bios',
  'baseboard',
  'cpu',
  'networkInterfaces',
  'graphics',
  'disks',
] as const;
export type SnapshotPart = (typeof SNAPSHOT_PARTS)[number];

export interface SystemSnapshot {
  platform?: string | null;
  system?: SystemInfo;
  bios?: BiosInfo;
  baseboard?: BaseboardInfo;
  cpu?: CpuInfo;
  networkInterfaces?: NetworkInterfaceInfo[];
  graphics?: GraphicsInfo;
  /** systeminformation's diskLayout(): emulated disks keep their hypervisor's model name. */
  disks?: DiskInfo[];
  /** Only the environment variables that reveal a remote session (SESSIONNAME, SSH_CONNECTION …). */
  environment?: Record<string, string | undefined>;
  /** Parts that could not be read, with the reason. */
  unavailable?: Partial<Record<SnapshotPart, string>>;
}
