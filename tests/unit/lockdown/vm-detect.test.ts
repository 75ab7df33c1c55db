import { describe, expect, it } from 'vitest';
import type { SystemSnapshot } from '../../../src-main/lockdown/system-snapshot';
import {
  detectRemoteSession,
  detectVirtualMachine,
  isHostSideAdapter,
} from '../../../src-main/lockdown/vm-detect';
import { lockdownFixture, lockdownFixtureNames } from '../../support/lockdown-fixtures';

interface SiFixture {
  expected: { status: string; verdict: string; product?: string; evidenceSources: string[] };
  snapshot: SystemSnapshot;
}

describe('virtual-machine heuristics against recorded systeminformation outputs', () => {
  const files = lockdownFixtureNames('si-');
  it('has a fixture for each platform the issue names', () => {
    expect(files).toEqual([
      'si-hyperv.json',
      'si-physical-laptop.json',
      'si-qemu-kvm.json',
      'si-virtualbox.json',
      'si-vmware-reflecthost.json',
      'si-vmware.json',
    ]);
  });

  it.each(files)('%s yields the expected verdict, product and evidence', (file) => {
    const { expected, snapshot } = lockdownFixture<SiFixture>(file);
    const result = detectVirtualMachine(snapshot);
    expect(result.check).toBe('virtual_machine');
    expect(result.status).toBe(expected.status);
    expect(result.details.verdict).toBe(expected.verdict);
    expect(result.details.product).toBe(expected.product);
    expect(result.evidence.map((e) => e.source)).toEqual(expected.evidenceSources);
    for (const evidence of result.evidence) {
      expect(evidence.value).not.toBe('');
      expect(evidence.matched).not.toBe('');
      expect(evidence.weight).toBeGreaterThan(0);
    }
    if (expected.verdict === 'virtual_machine') expect(result.confidence).toBeGreaterThanOrEqual(0.85);
    else expect(result.confidence).toBe(0);
  });

  it('sees through reflectHost: host DMI strings, but the VMware MAC and SVGA device remain', () => {
    const { snapshot } = lockdownFixture<SiFixture>('si-vmware-reflecthost.json');
    const result = detectVirtualMachine(snapshot);
    expect(result.evidence).toEqual([
      expect.objectContaining({ value: '00:50:56:a3:7b:19', matched: '00:50:56 (VMware OUI)' }),
      expect.objectContaining({ matched: 'VMware SVGA II adapter (VMware, or VirtualBox VMSVGA)' }),
      expect.objectContaining({ value: 'VMware VMware Virtual NVMe Disk', matched: 'VMware virtual disk' }),
    ]);
    // The MAC alone would only be a possible VM; with the emulated devices it is a VM.
    const macOnly = detectVirtualMachine({
      ...snapshot,
      graphics: { controllers: [], displays: [] },
      disks: [],
    });
    expect(macOnly.details.verdict).toBe('possible_virtual_machine');
    expect(macOnly.status).toBe('violation');
  });

  it('ignores host-side virtual adapters of a physical machine', () => {
    const { snapshot } = lockdownFixture<SiFixture>('si-physical-laptop.json');
    const hostAdapters = snapshot.networkInterfaces!.filter((i) => isHostSideAdapter(i)).map((i) => i.iface);
    expect(hostAdapters).toEqual(['lo', 'docker0', 'virbr0', 'vmnet8']);
  });

  it('treats the hypervisor CPU flag alone as a weak sign, not a verdict (Windows hosts with VBS set it)', () => {
    const { snapshot } = lockdownFixture<SiFixture>('si-physical-laptop.json');
    const result = detectVirtualMachine({
      ...snapshot,
      cpu: { ...snapshot.cpu!, flags: 'fpu sse2 hypervisor' },
    });
    expect(result.status).toBe('pass');
    expect(result.details.verdict).toBe('none');
    expect(result.evidence).toHaveLength(1);
    expect(result.summary).toMatch(/weak signs only/);
  });

  it('reports check_unavailable when no system information could be read, and names missing inputs otherwise', () => {
    const none = detectVirtualMachine({ unavailable: { system: 'EACCES' } });
    expect(none.status).toBe('check_unavailable');
    const { snapshot } = lockdownFixture<SiFixture>('si-physical-laptop.json');
    const partial = detectVirtualMachine({
      ...snapshot,
      graphics: undefined,
      unavailable: { graphics: 'lspci missing' },
    });
    expect(partial.status).toBe('pass');
    expect(partial.details).toMatchObject({
      missingInputs: ['graphics'],
      unavailable: { graphics: 'lspci missing' },
    });
  });
});

describe('remote-session heuristics', () => {
  it('finds an RDP session from the display adapter and SESSIONNAME', () => {
    const result = detectRemoteSession({
      graphics: {
        controllers: [{ vendor: 'Microsoft', model: 'Microsoft Remote Display Adapter' }],
        displays: [],
      },
      environment: { SESSIONNAME: 'RDP-Tcp#3' },
    });
    expect(result.status).toBe('violation');
    expect(result.evidence.map((e) => e.source)).toEqual(['graphics.controllers[0]', 'env.SESSIONNAME']);
    expect(result.confidence).toBeGreaterThan(0.99);
  });

  it('finds an SSH-launched session and passes a local console session', () => {
    expect(
      detectRemoteSession({ environment: { SSH_CONNECTION: '10.0.0.5 52144 10.0.0.9 22' } }).status,
    ).toBe('violation');
    const local = detectRemoteSession({
      environment: { SESSIONNAME: 'Console' },
      graphics: { controllers: [], displays: [] },
    });
    expect(local).toMatchObject({ status: 'pass', evidence: [] });
  });

  it('passes every recorded machine (none of them is used remotely) and is unavailable without inputs', () => {
    for (const file of lockdownFixtureNames('si-'))
      expect(detectRemoteSession(lockdownFixture<SiFixture>(file).snapshot).status).toBe('pass');
    expect(detectRemoteSession({}).status).toBe('check_unavailable');
  });
});
