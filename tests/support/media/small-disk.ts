// A small disk for full-disk tests: a real tmpfs mount when the test runs as root (CI containers),
// otherwise the same capacity enforced at the recorder's disk boundary (DiskIo), so the assertions
// are identical either way. Also a read-only folder for the unwritable-folder case.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { DiskIo } from '../../../src-main/media/disk-io';
import { realDiskIo } from '../../../src-main/media/disk-io';

export interface SmallDisk {
  dir: string;
  /** Set when the capacity is simulated at the DiskIo boundary instead of a real mount. */
  io?: DiskIo;
  kind: 'tmpfs' | 'injected';
  release(): void;
}

function tryMount(dir: string, options: string): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]).status === 0;
}

function unmount(dir: string): void {
  spawnSync('umount', [dir]);
}

function enospc(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
}

/** A DiskIo whose folder holds at most `capacity` bytes of segment data. */
export function limitedDiskIo(capacity: number): DiskIo {
  let used = 0;
  return {
    freeBytes: async () => Math.max(0, capacity - used),
    async writeDurably(handle, bytes, offset) {
      const size = (await handle.stat()).size;
      const growth = Math.max(0, offset + bytes.length - size);
      if (used + growth > capacity) {
        // Like a real disk: part of the chunk lands before the error.
        const room = Math.max(0, capacity - used);
        await handle.write(bytes, 0, Math.min(room, bytes.length), offset);
        used = capacity;
        throw enospc();
      }
      used += growth;
      await realDiskIo.writeDurably(handle, bytes, offset);
    },
  };
}

export function smallDisk(parent: string, sizeBytes: number): SmallDisk {
  const dir = fs.mkdtempSync(path.join(parent, 'small-'));
  if (tryMount(dir, `size=${sizeBytes},mode=0700`)) {
    return { dir, kind: 'tmpfs', release: () => unmount(dir) };
  }
  return { dir, io: limitedDiskIo(sizeBytes), kind: 'injected', release: () => undefined };
}

/** A folder nobody can write to: a read-only tmpfs as root, else permissions 0500. */
export function readOnlyDir(parent: string): { dir: string; release(): void } {
  const dir = fs.mkdtempSync(path.join(parent, 'ro-'));
  if (tryMount(dir, 'ro,size=64k')) return { dir, release: () => unmount(dir) };
  fs.chmodSync(dir, 0o500);
  return { dir, release: () => fs.chmodSync(dir, 0o700) };
}
