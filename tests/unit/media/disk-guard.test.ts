// The disk-space policy's arithmetic: what a session needs to start, when to warn, when to stop.
import { describe, expect, it } from 'vitest';
import {
  assessDisk,
  bytesNeededToStart,
  stopThreshold,
  warnThreshold,
} from '../../../src-main/media/disk-guard';

const MB = 2 ** 20;

describe('disk guard policy', () => {
  it('needs room for the segments and the merged copy at the bitrate, plus the reserve', () => {
    // 1 hour at 1.2 Mbit/s = 540 MB recorded; twice that with 10 % overhead, plus 256 MB.
    expect(bytesNeededToStart(3600, 150_000, 256 * MB)).toBe(Math.ceil(3600 * 150_000 * 2.2) + 256 * MB);
  });

  it('stops while the last chunks, the merged copy and the reserve still fit; warns five minutes earlier', () => {
    const input = {
      reserveBytes: 100 * MB,
      bytesPerSecond: 150_000,
      largestChunkBytes: 400_000,
      recordedBytes: 50 * MB,
    };
    const stopAt = stopThreshold(input);
    expect(stopAt).toBe(100 * MB + Math.ceil(50 * MB * 1.1) + 3 * 400_000);
    expect(warnThreshold(input)).toBe(stopAt + 150_000 * 600);
    expect(assessDisk({ ...input, freeBytes: stopAt })).toBe('stop');
    expect(assessDisk({ ...input, freeBytes: stopAt + 1 })).toBe('warning');
    expect(assessDisk({ ...input, freeBytes: warnThreshold(input) + 1 })).toBe('ok');
  });
});
