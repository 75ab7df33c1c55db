// Virtual-machine and remote-session heuristics over a systeminformation snapshot. Each verdict
// lists the facts behind it and a confidence, names the likely hypervisor, and says which inputs
// were missing. Host-side virtual adapters (a physical laptop running VMware or Docker) are not
// evidence of being a guest.
import { verdict, unavailable } from './check-result';
import { combineConfidence } from './evidence-math';
import {
  SNAPSHOT_PARTS,
  type GraphicsController,
  type NetworkInterfaceInfo,
  type SystemSnapshot,
} from './system-snapshot';
import type { CheckResult, Evidence } from './types';
import {
  diskSignatures,
  dmiSignatures,
  graphicsModelSignatures,
  hostAdapterPattern,
  HYPERVISOR_FLAG_WEIGHT,
  MAC_WEIGHT,
  pciSignatures,
  remoteDisplaySignatures,
  SI_VIRTUAL_WEIGHT,
  vmMacPrefixes,
  type VmProduct,
} from './vm-signatures';

/** Confidence at or above which the VM check reports a violation. */
export const VM_VIOLATION_THRESHOLD = 0.5;
/** Confidence at or above which the verdict is a certain virtual machine rather than a possible one. */
export const VM_CERTAIN_THRESHOLD = 0.85;

export type VmVerdict = 'virtual_machine' | 'possible_virtual_machine' | 'none';

interface VmEvidence extends Evidence {
  group: 'dmi' | 'cpu' | 'mac' | 'pci' | 'disk' | 'si';
  product: VmProduct;
}

function dmiEvidence(snapshot: SystemSnapshot): VmEvidence[] {
  const fields: [string, string | null | undefined][] = [
    ['system.manufacturer', snapshot.system?.manufacturer],
    ['system.model', snapshot.system?.model],
    ['system.version', snapshot.system?.version],
    ['system.serial', snapshot.system?.serial],
    ['bios.vendor', snapshot.bios?.vendor],
    ['bios.version', snapshot.bios?.version],
    ['baseboard.manufacturer', snapshot.baseboard?.manufacturer],
    ['baseboard.model', snapshot.baseboard?.model],
    ['cpu.brand', snapshot.cpu?.brand],
  ];
  const out: VmEvidence[] = [];
  for (const [source, value] of fields) {
    if (!value) continue;
    const signature = dmiSignatures.find((s) => s.pattern.test(value.trim()));
    if (signature)
      out.push({
        source,
        value,
        matched: signature.label,
        weight: signature.weight,
        group: source.startsWith('cpu') ? 'cpu' : 'dmi',
        product: signature.product,
      });
  }
  return out;
}

function cpuFlagEvidence(snapshot: SystemSnapshot): VmEvidence[] {
  const flags = (snapshot.cpu?.flags ?? '').toLowerCase().split(/\s+/);
  return flags.includes('hypervisor')
    ? [
        {
          source: 'cpu.flags',
          value: 'hypervisor',
          matched: 'CPUID hypervisor-present bit',
          weight: HYPERVISOR_FLAG_WEIGHT,
          group: 'cpu',
          product: 'unknown',
        },
      ]
    : [];
}

export function isHostSideAdapter(iface: NetworkInterfaceInfo): boolean {
  if (iface.internal) return true;
  return hostAdapterPattern.test(iface.iface) || hostAdapterPattern.test(iface.ifaceName ?? '');
}

function macEvidence(snapshot: SystemSnapshot): VmEvidence[] {
  const out: VmEvidence[] = [];
  (snapshot.networkInterfaces ?? []).forEach((iface, index) => {
    const mac = iface.mac.toLowerCase().replace(/-/g, ':');
    const prefix = vmMacPrefixes.find((p) => mac.startsWith(p.prefix));
    if (!prefix || isHostSideAdapter(iface)) return;
    out.push({
      source: `networkInterfaces[${index}].mac (${iface.iface})`,
      value: iface.mac,
      matched: `${prefix.prefix} (${prefix.product} OUI)`,
      weight: MAC_WEIGHT,
      group: 'mac',
      product: prefix.product,
    });
  });
  return out;
}

function pciIds(controller: GraphicsController): { vendorId?: string; deviceId?: string } {
  const normalize = (id: string | null | undefined) => id?.toLowerCase().replace(/^0x/, '').padStart(4, '0');
  const fromPnp = /VEN_([0-9a-f]{4})&DEV_([0-9a-f]{4})/i.exec(controller.pciID ?? '');
  return {
    vendorId: normalize(controller.vendorId) ?? fromPnp?.[1]?.toLowerCase(),
    deviceId: normalize(controller.deviceId) ?? fromPnp?.[2]?.toLowerCase(),
  };
}

function graphicsEvidence(snapshot: SystemSnapshot): VmEvidence[] {
  const out: VmEvidence[] = [];
  (snapshot.graphics?.controllers ?? []).forEach((controller, index) => {
    const { vendorId, deviceId } = pciIds(controller);
    const pci = vendorId
      ? pciSignatures.find((s) => s.vendorId === vendorId && (!s.deviceId || s.deviceId === deviceId))
      : undefined;
    if (pci) {
      out.push({
        source: `graphics.controllers[${index}] pci id`,
        value: `${vendorId}:${deviceId ?? '?'} ${controller.vendor} ${controller.model}`.trim(),
        matched: pci.label,
        weight: pci.weight,
        group: 'pci',
        product: pci.product,
      });
      return;
    }
    const text = `${controller.vendor} ${controller.model}`;
    const model = graphicsModelSignatures.find((s) => s.pattern.test(text));
    if (model)
      out.push({
        source: `graphics.controllers[${index}].model`,
        value: text.trim(),
        matched: model.label,
        weight: model.weight,
        group: 'pci',
        product: model.product,
      });
  });
  return out;
}

function diskEvidence(snapshot: SystemSnapshot): VmEvidence[] {
  const out: VmEvidence[] = [];
  (snapshot.disks ?? []).forEach((disk, index) => {
    const text = `${disk.vendor ?? ''} ${disk.name}`.trim();
    const signature = diskSignatures.find((s) => s.pattern.test(text));
    if (signature)
      out.push({
        source: `disks[${index}].name`,
        value: text,
        matched: signature.label,
        weight: signature.weight,
        group: 'disk',
        product: signature.product,
      });
  });
  return out;
}

function siEvidence(snapshot: SystemSnapshot): VmEvidence[] {
  if (!snapshot.system?.virtual) return [];
  const host = snapshot.system.virtualHost ?? '';
  const product = dmiSignatures.find((s) => s.pattern.test(host))?.product ?? 'unknown';
  return [
    {
      source: 'system.virtual',
      value: host ? `true (${host})` : 'true',
      matched: 'systeminformation virtual-machine flag',
      weight: SI_VIRTUAL_WEIGHT,
      group: 'si',
      product,
    },
  ];
}

/** The hypervisor most of the evidence names (generic evidence names none). */
function likelyProduct(evidence: VmEvidence[]): VmProduct {
  const scores = new Map<VmProduct, number>();
  for (const item of evidence) {
    if (item.product === 'unknown') continue;
    scores.set(item.product, (scores.get(item.product) ?? 0) + item.weight);
  }
  let best: VmProduct = 'unknown';
  let bestScore = 0;
  for (const [product, score] of scores)
    if (score > bestScore) {
      best = product;
      bestScore = score;
    }
  return best;
}

const NEEDED_PARTS = SNAPSHOT_PARTS;

export function detectVirtualMachine(snapshot: SystemSnapshot, now: Date = new Date()): CheckResult {
  const missing = NEEDED_PARTS.filter((part) => snapshot[part] === undefined);
  if (missing.length === NEEDED_PARTS.length)
    return unavailable('virtual_machine', 'no system information could be read', now);
  const evidence = [
    ...dmiEvidence(snapshot),
    ...cpuFlagEvidence(snapshot),
    ...macEvidence(snapshot),
    ...graphicsEvidence(snapshot),
    ...diskEvidence(snapshot),
    ...siEvidence(snapshot),
  ];
  const confidence = combineConfidence(evidence, (e) => (e as VmEvidence).group);
  const vm: VmVerdict =
    confidence >= VM_CERTAIN_THRESHOLD
      ? 'virtual_machine'
      : confidence >= VM_VIOLATION_THRESHOLD
        ? 'possible_virtual_machine'
        : 'none';
  const product = vm === 'none' ? undefined : likelyProduct(evidence);
  const summary =
    vm === 'none'
      ? evidence.length
        ? `No virtual machine (weak signs only: ${evidence.map((e) => e.matched).join(', ')})`
        : 'No virtual machine detected'
      : `${vm === 'virtual_machine' ? 'Virtual machine' : 'Possible virtual machine'}: ${product} (${[
          ...new Set(evidence.map((e) => e.group)),
        ].join(', ')})`;
  return verdict(
    'virtual_machine',
    vm !== 'none',
    confidence,
    evidence.map(({ source, value, matched, weight }) => ({ source, value, matched, weight })),
    summary,
    {
      verdict: vm,
      ...(product ? { product } : {}),
      ...(missing.length ? { missingInputs: missing, unavailable: snapshot.unavailable ?? {} } : {}),
    },
    now,
  );
}

export function detectRemoteSession(snapshot: SystemSnapshot, now: Date = new Date()): CheckResult {
  if (!snapshot.graphics && !snapshot.environment)
    return unavailable('remote_session', 'neither graphics nor environment information could be read', now);
  const evidence: Evidence[] = [];
  const adapters = [
    ...(snapshot.graphics?.controllers ?? []).map(
      (c, i) => [`graphics.controllers[${i}]`, `${c.vendor} ${c.model}`] as const,
    ),
    ...(snapshot.graphics?.displays ?? []).map(
      (d, i) => [`graphics.displays[${i}]`, `${d.vendor ?? ''} ${d.model} ${d.deviceName ?? ''}`] as const,
    ),
  ];
  for (const [source, text] of adapters) {
    const signature = remoteDisplaySignatures.find((s) => s.pattern.test(text));
    if (signature)
      evidence.push({ source, value: text.trim(), matched: signature.label, weight: signature.weight });
  }
  const env = snapshot.environment ?? {};
  if (env.SESSIONNAME && /^RDP-/i.test(env.SESSIONNAME))
    evidence.push({
      source: 'env.SESSIONNAME',
      value: env.SESSIONNAME,
      matched: 'Remote Desktop session',
      weight: 0.95,
    });
  for (const key of ['SSH_CONNECTION', 'SSH_CLIENT'] as const)
    if (env[key])
      evidence.push({ source: `env.${key}`, value: env[key], matched: 'SSH session', weight: 0.7 });
  const confidence = combineConfidence(evidence, (e) => e.source.split(/[[.]/)[0] ?? e.source);
  return verdict(
    'remote_session',
    confidence >= VM_VIOLATION_THRESHOLD,
    confidence,
    evidence,
    evidence.length
      ? `Remote session: ${evidence.map((e) => e.matched).join(', ')}`
      : 'No remote session detected',
    {},
    now,
  );
}
