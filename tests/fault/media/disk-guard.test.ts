// Disk guard on a small disk: a session that cannot fit is refused before it starts; while
// recording, low space warns the candidate (event) and the proctor record (media event), then asks
// the recorder to stop while the last chunk and the merged copy still fit — nothing is corrupted.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName } from '../../../src-preload/contract';
import { resolveMediaBinaries } from '../../../src-main/media/binaries';
import { mergeSegments } from '../../../src-main/media/merge';
import { ffprobeJson, makeLiveWebm, openService, sliceChunks, tempDir } from '../../support/media/fixtures';
import { smallDisk } from '../../support/media/small-disk';

let root: string;
let source: string;
const MB = 1024 * 1024;

beforeAll(() => {
  root = tempDir('media-guard');
  source = path.join(root, 'source.webm');
  makeLiveWebm(source, { seconds: 16, videoKbps: 2000, noise: true });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('disk guard', () => {
  it('refuses to start a session the free space cannot hold, saying how much is needed', async () => {
    const disk = smallDisk(root, 4 * MB);
    const fx = await openService(tempDir('dg-start'), {
      recordingsDir: disk.dir,
      reserveBytes: MB,
      ...(disk.io ? { io: disk.io } : {}),
    });
    try {
      const refused = fx.service.start({
        sessionId: 'long',
        mimeType: 'video/webm',
        expectedDurationS: 3600,
        bitsPerSecond: 1_000_000,
      });
      await expect(refused).rejects.toMatchObject({ code: 'DISK_FULL', details: { reason: 'disk_full' } });
      const error = (await refused.catch((e: unknown) => e)) as {
        details: { neededBytes: number; freeBytes: number };
      };
      expect(error.details.neededBytes).toBeGreaterThan(error.details.freeBytes);
      expect(fs.readdirSync(disk.dir)).toEqual([]);
    } finally {
      await fx.close();
      disk.release();
    }
  });

  it('warns, then stops the recording cleanly before the disk is full; the recording merges on the same disk', async () => {
    const disk = smallDisk(root, 4 * MB);
    const events: { event: EventName; payload: { level?: string } }[] = [];
    const fx = await openService(tempDir('dg-run'), {
      recordingsDir: disk.dir,
      reserveBytes: MB,
      ...(disk.io ? { io: disk.io } : {}),
      emit: (event, payload) => events.push({ event, payload: payload as { level?: string } }),
    });
    try {
      const { recordingId } = await fx.service.start({
        sessionId: 'guarded',
        mimeType: 'video/webm',
        expectedDurationS: 1,
        bitsPerSecond: 100_000,
      });
      const chunks = sliceChunks(source, 24, 16_000);
      let seq = 0;
      let stop: string | null = null;
      while (!stop && seq < chunks.length) {
        const ack = await fx.service.appendChunk({ recordingId, segment: 0, seq, ...chunks[seq]! });
        stop = ack.stop;
        seq++;
      }
      expect(stop).toBe('disk_low');
      expect(seq).toBeLessThan(chunks.length);
      // MediaRecorder flushes one last chunk after stop(): it still fits.
      await fx.service.appendChunk({ recordingId, segment: 0, seq, ...chunks[seq]! });
      seq++;

      const levels = events.filter((e) => e.event === 'mediaDiskLow').map((e) => e.payload.level);
      expect(levels).toEqual(['warning', 'stop']);
      const kinds = (await fx.ledger.events(recordingId)).map((e) => e.kind);
      expect(kinds).toEqual(['disk_low_warning', 'disk_low_stop']);

      const segment = (await fx.ledger.segment(recordingId, 0))!;
      const written = Buffer.concat(chunks.slice(0, seq).map((c) => c.bytes));
      expect(fs.readFileSync(segment.file).equals(written)).toBe(true);

      // The recorded time of these byte slices is measured from the media itself (outside the disk).
      const measure = path.join(fx.dir, 'measure.webm');
      await mergeSegments({
        bins: resolveMediaBinaries({}),
        inputs: [segment.file],
        output: measure,
        format: 'webm',
      });
      const recordedMs = Number(ffprobeJson(measure).format.duration) * 1000;
      const merged = await fx.service.stop(recordingId, recordedMs, 'disk_low');
      expect(path.dirname(merged.path)).toBe(path.join(disk.dir, recordingId));
      expect(merged.streams.map((s) => s.type).sort()).toEqual(['audio', 'video']);
      expect((await fx.ledger.recording(recordingId))?.stop_reason).toBe('disk_low');
    } finally {
      await fx.close();
      disk.release();
    }
  });
});
