// Known fingerprints of hypervisors: vendor strings in DMI/SMBIOS, MAC address prefixes (OUIs),
// PCI vendor/device ids of emulated devices, CPU strings. Weights say how strongly one match alone
// indicates a guest: a product name in DMI is near-certain, a MAC prefix can be changed, the CPU's
// hypervisor flag is also set on Windows hosts running virtualization-based security.

export type VmProduct = 'VirtualBox' | 'VMware' | 'QEMU/KVM' | 'Hyper-V' | 'Xen' | 'Parallels' | 'unknown';

export interface StringSignature {
  product: VmProduct;
  pattern: RegExp;
  weight: number;
  label: string;
}

/** Matched against system, bios and baseboard strings and the CPU brand. */
export const dmiSignatures: readonly StringSignature[] = [
  { product: 'VirtualBox', pattern: /virtualbox/i, weight: 0.95, label: 'VirtualBox' },
  { product: 'VirtualBox', pattern: /innotek/i, weight: 0.95, label: 'innotek GmbH (VirtualBox)' },
  { product: 'VMware', pattern: /vmware/i, weight: 0.95, label: 'VMware' },
  { product: 'VMware', pattern: /^VMW\d+\./, weight: 0.9, label: 'VMware BIOS version (VMWnn.)' },
  {
    product: 'VMware',
    pattern: /440BX Desktop Reference Platform/i,
    weight: 0.7,
    label: 'VMware virtual 440BX board',
  },
  { product: 'QEMU/KVM', pattern: /qemu/i, weight: 0.95, label: 'QEMU' },
  { product: 'QEMU/KVM', pattern: /\bkvm\b/i, weight: 0.9, label: 'KVM' },
  { product: 'QEMU/KVM', pattern: /Standard PC \((i440FX|Q35)/i, weight: 0.9, label: 'QEMU machine type' },
  { product: 'QEMU/KVM', pattern: /^pc-(q35|i440fx)-/i, weight: 0.9, label: 'QEMU machine version' },
  { product: 'QEMU/KVM', pattern: /bochs/i, weight: 0.85, label: 'Bochs' },
  // SeaBIOS also ships on some Chromebooks (coreboot), so it is not conclusive alone.
  { product: 'QEMU/KVM', pattern: /seabios/i, weight: 0.6, label: 'SeaBIOS' },
  { product: 'Hyper-V', pattern: /hyper-v/i, weight: 0.95, label: 'Hyper-V' },
  { product: 'Xen', pattern: /\bxen\b|HVM domU/i, weight: 0.9, label: 'Xen' },
  { product: 'Parallels', pattern: /parallels/i, weight: 0.95, label: 'Parallels' },
  {
    product: 'unknown',
    pattern: /^virtual machine$|virtual platform/i,
    weight: 0.85,
    label: 'virtual machine model',
  },
];

export interface MacPrefix {
  prefix: string;
  product: VmProduct;
}

/** OUIs assigned to hypervisor vendors for guest network adapters. */
export const vmMacPrefixes: readonly MacPrefix[] = [
  { prefix: '08:00:27', product: 'VirtualBox' },
  { prefix: '00:05:69', product: 'VMware' },
  { prefix: '00:0c:29', product: 'VMware' },
  { prefix: '00:1c:14', product: 'VMware' },
  { prefix: '00:50:56', product: 'VMware' },
  { prefix: '52:54:00', product: 'QEMU/KVM' },
  { prefix: '00:15:5d', product: 'Hyper-V' },
  { prefix: '00:16:3e', product: 'Xen' },
  { prefix: '00:1c:42', product: 'Parallels' },
];
export const MAC_WEIGHT = 0.7;

/**
 * Host-side adapters that hypervisor and container software create on a physical machine (VMware's
 * vmnet, VirtualBox host-only, libvirt's virbr, Hyper-V's vEthernet, Docker bridges). They carry
 * hypervisor MAC prefixes but say nothing about this machine being a guest.
 */
export const hostAdapterPattern =
  /^(vmnet\d*|vboxnet\d*|virbr\d*|docker\d*|br-[0-9a-f]+|veth|vEthernet|VMware Network Adapter|VirtualBox Host-Only|tap\d*|tun\d*|utun\d*|lo\d*$|bridge\d*)/i;

export interface PciSignature {
  vendorId: string;
  /** Omitted: any device of that vendor. */
  deviceId?: string;
  product: VmProduct;
  weight: number;
  label: string;
}

/** Emulated or paravirtual graphics devices (lower-case hex ids). */
export const pciSignatures: readonly PciSignature[] = [
  { vendorId: '80ee', product: 'VirtualBox', weight: 0.9, label: 'VirtualBox (InnoTek) PCI device' },
  // VMware SVGA II is also VirtualBox's default VMSVGA adapter: it proves a VM, not which one.
  {
    vendorId: '15ad',
    deviceId: '0405',
    product: 'unknown',
    weight: 0.9,
    label: 'VMware SVGA II adapter (VMware, or VirtualBox VMSVGA)',
  },
  { vendorId: '15ad', product: 'VMware', weight: 0.9, label: 'VMware PCI device' },
  { vendorId: '1af4', product: 'QEMU/KVM', weight: 0.85, label: 'virtio PCI device' },
  { vendorId: '1b36', product: 'QEMU/KVM', weight: 0.85, label: 'Red Hat QEMU PCI device (QXL)' },
  {
    vendorId: '1234',
    deviceId: '1111',
    product: 'QEMU/KVM',
    weight: 0.85,
    label: 'QEMU standard VGA (Bochs)',
  },
  { vendorId: '1414', deviceId: '5353', product: 'Hyper-V', weight: 0.9, label: 'Hyper-V synthetic video' },
  { vendorId: '1ab8', product: 'Parallels', weight: 0.9, label: 'Parallels PCI device' },
  { vendorId: '5853', product: 'Xen', weight: 0.85, label: 'Xen platform device' },
];

/** Graphics model strings for platforms where ids are missing (Windows without a PNP id, macOS). */
export const graphicsModelSignatures: readonly StringSignature[] = [
  { product: 'unknown', pattern: /SVGA II|SVGA 3D/i, weight: 0.85, label: 'VMware SVGA adapter model' },
  {
    product: 'VirtualBox',
    pattern: /VirtualBox Graphics|VBoxVGA|VBoxSVGA/i,
    weight: 0.9,
    label: 'VirtualBox graphics model',
  },
  { product: 'QEMU/KVM', pattern: /QXL|virtio[- ]gpu|Bochs/i, weight: 0.85, label: 'QEMU graphics model' },
  { product: 'Hyper-V', pattern: /Hyper-V Video/i, weight: 0.9, label: 'Hyper-V video model' },
  { product: 'Parallels', pattern: /Parallels Display/i, weight: 0.9, label: 'Parallels display adapter' },
];

/** Disk model names of emulated disks (they survive SMBIOS.reflectHost). */
export const diskSignatures: readonly StringSignature[] = [
  {
    product: 'VirtualBox',
    pattern: /VBOX HARDDISK|VBOX CD-ROM/i,
    weight: 0.9,
    label: 'VirtualBox virtual disk',
  },
  { product: 'VMware', pattern: /VMware Virtual|VMware,/i, weight: 0.9, label: 'VMware virtual disk' },
  { product: 'QEMU/KVM', pattern: /QEMU HARDDISK|QEMU DVD-ROM/i, weight: 0.9, label: 'QEMU virtual disk' },
  { product: 'Hyper-V', pattern: /Msft Virtual Disk/i, weight: 0.9, label: 'Hyper-V virtual disk' },
  { product: 'Parallels', pattern: /Parallels Virtual/i, weight: 0.9, label: 'Parallels virtual disk' },
];

export const HYPERVISOR_FLAG_WEIGHT = 0.4;
export const SI_VIRTUAL_WEIGHT = 0.6;

/** Signs that this machine is being used from elsewhere (RDP, Citrix, Parsec, SSH). */
export const remoteDisplaySignatures: readonly { pattern: RegExp; weight: number; label: string }[] = [
  {
    pattern: /Microsoft Remote Display Adapter/i,
    weight: 0.9,
    label: 'Remote Desktop (RDP) display adapter',
  },
  { pattern: /Citrix Indirect Display/i, weight: 0.9, label: 'Citrix display adapter' },
  { pattern: /Parsec Virtual Display/i, weight: 0.85, label: 'Parsec virtual display' },
  { pattern: /Remote Desktop|\bRDP\b/i, weight: 0.8, label: 'remote desktop display' },
];
