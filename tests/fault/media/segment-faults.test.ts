// Faults at the edges of recording: a corrupt or truncated segment, a missing ffmpeg, an unwritable
// folder and a full disk each give a typed error, and the segments already written are kept intact.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveMediaBinaries } from '../../../src-main/media/binaries';
import { mergeSegments } from '../../../src-main/media/merge';
import {
  ffprobeJson,
  makeLiveWebm,
  openService,
  sliceChunks,
  tempDir,
  type ServiceFixture,
} from '../../support/media/fixtures';
import { limitedDiskIo, readOnlyDir, smallDisk } from '../../support/media/small-disk';

let root: string;
let source: string;
let bigSource: string;
const SECONDS = 6;

beforeAll(() => {
  root = tempDir('media-fault');
  source = path.join(root, 'source.webm');
  makeLiveWebm(source, { seconds: SECONDS });
  bigSource = path.join(root, 'big.webm');
  makeLiveWebm(bigSource, { seconds: 8, videoKbps: 2000, noise: true });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function recordThree(fx: ServiceFixture): Promise<{ recordingId: string; file: string }> {
  const { recordingId } = await fx.service.start({
    sessionId: 'f',
    mimeType: 'video/webm',
    expectedDurationS: 60,
  });
  for (const [seq, chunk] of sliceChunks(source, 3, SECONDS * 1000).entries()) {
    await fx.service.appendChunk({ recordingId, segment: 0, seq, ...chunk });
  }
  const segment = await fx.ledger.segment(recordingId, 0);
  return { recordingId, file: segment!.file };
}

async function expectKept(fx: ServiceFixture, recordingId: string, file: string): Promise<void> {
  expect(fs.existsSync(file)).toBe(true);
  const recording = await fx.ledger.recording(recordingId);
  expect(recording?.state).toBe('failed');
  expect(fs.existsSync(path.join(recording!.dir, 'recording.webm'))).toBe(false);
}

describe('media faults', () => {
  it('refuses a corrupted segment (checksum mismatch) with MEDIA_INVALID and keeps it', async () => {
    const fx = await openService(tempDir('mf-corrupt'));
    try {
      const { recordingId, file } = await recordThree(fx);
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, Buffer.from('garbage!'), 0, 8, Math.floor(fs.statSync(file).size / 2));
      fs.closeSync(fd);
      await expect(fx.service.stop(recordingId, SECONDS * 1000)).rejects.toMatchObject({
        code: 'MEDIA_INVALID',
        details: { reason: 'segment_corrupt', seq: 1, file },
      });
      await expectKept(fx, recordingId, file);
    } finally {
      await fx.close();
    }
  });

  it('refuses a truncated segment with MEDIA_INVALID and keeps it', async () => {
    const fx = await openService(tempDir('mf-trunc'));
    try {
      const { recordingId, file } = await recordThree(fx);
      const size = fs.statSync(file).size;
      fs.truncateSync(file, size - 1000);
      await expect(fx.service.stop(recordingId, SECONDS * 1000)).rejects.toMatchObject({
        code: 'MEDIA_INVALID',
        details: { reason: 'segment_truncated', sizeBytes: size - 1000, recordedBytes: size },
      });
      await expectKept(fx, recordingId, file);
      expect(fs.statSync(file).size).toBe(size - 1000);
    } finally {
      await fx.close();
    }
  });

  it('reports a missing ffmpeg binary as UNAVAILABLE naming the config key, and merges once it is back', async () => {
    let ffmpegPath = path.join(root, 'no-such-ffmpeg');
    const fx = await openService(tempDir('mf-bin'), { binaries: () => resolveMediaBinaries({ ffmpegPath }) });
    try {
      const { recordingId, file } = await recordThree(fx);
      await expect(fx.service.stop(recordingId, SECONDS * 1000)).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        details: { reason: 'ffmpeg_missing', configKey: 'media.ffmpegPath', path: ffmpegPath },
      });
      await expectKept(fx, recordingId, file);
      ffmpegPath = resolveMediaBinaries({}).ffmpeg;
      const merged = await fx.service.retry(recordingId);
      expect(ffprobeJson(merged.path).streams).toHaveLength(2);
      let probeError: unknown;
      try {
        resolveMediaBinaries({ ffprobePath: '/nonexistent/ffprobe' });
      } catch (error) {
        probeError = error;
      }
      expect(probeError).toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'ffprobe_missing' } });
    } finally {
      await fx.close();
    }
  });

  it('reports an unwritable recordings folder and an unwritable merge target as UNAVAILABLE', async () => {
    const ro = readOnlyDir(root);
    const fx = await openService(tempDir('mf-ro'), { recordingsDir: path.join(ro.dir, 'recordings') });
    try {
      await expect(
        fx.service.start({ sessionId: 'ro', mimeType: 'video/webm', expectedDurationS: 60 }),
      ).rejects.toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'folder_unwritable' } });
      await expect(
        mergeSegments({
          bins: resolveMediaBinaries({}),
          inputs: [source],
          output: path.join(ro.dir, 'out.webm'),
          format: 'webm',
        }),
      ).rejects.toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'folder_unwritable' } });
    } finally {
      await fx.close();
      ro.release();
    }
  });

  it.each([
    ['a small tmpfs (or injected ENOSPC when not root)', false],
    ['ENOSPC injected at the disk boundary', true],
  ])(
    'on a full disk (%s) answers DISK_FULL, keeps every acknowledged chunk intact and mergeable',
    async (_label, inject) => {
      const disk = smallDisk(root, 1024 * 1024);
      const io = inject ? limitedDiskIo(1024 * 1024) : disk.io;
      const fx = await openService(tempDir('mf-full'), {
        recordingsDir: disk.dir,
        ...(io ? { io } : {}),
      });
      try {
        const { recordingId } = await fx.service.start({
          sessionId: 'full',
          mimeType: 'video/webm',
          expectedDurationS: 1,
          bitsPerSecond: 10_000,
        });
        const chunks = sliceChunks(bigSource, 12, 8000);
        let acked = 0;
        let failure: unknown;
        for (const [seq, chunk] of chunks.entries()) {
          try {
            await fx.service.appendChunk({ recordingId, segment: 0, seq, ...chunk });
            acked++;
          } catch (error) {
            failure = error;
            break;
          }
        }
        expect(failure).toMatchObject({ code: 'DISK_FULL', details: { reason: 'disk_full' } });
        expect(acked).toBeGreaterThan(0);
        expect(acked).toBeLessThan(chunks.length);
        const segment = (await fx.ledger.segment(recordingId, 0))!;
        // The failed chunk was cut back: the file is exactly the acknowledged chunks.
        const expected = Buffer.concat(chunks.slice(0, acked).map((c) => c.bytes));
        expect(fs.readFileSync(segment.file).equals(expected)).toBe(true);
        // Merging on the full disk is refused up front, segments kept...
        await expect(fx.service.stop(recordingId, (8000 * acked) / 12)).rejects.toMatchObject({
          code: 'DISK_FULL',
        });
        expect(fs.existsSync(segment.file)).toBe(true);
        // ...and what was written is a valid recording once merged elsewhere.
        const out = path.join(fx.dir, 'rescued.webm');
        await mergeSegments({
          bins: resolveMediaBinaries({}),
          inputs: [segment.file],
          output: out,
          format: 'webm',
        });
        expect(Number(ffprobeJson(out).format.duration)).toBeGreaterThan(1);
      } finally {
        await fx.close();
        disk.release();
      }
    },
  );
});
