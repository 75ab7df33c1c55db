// Chunks in, one seekable file out: durable appends, idempotent retries, ordering, stream-copy
// WebM and H.264/AAC MP4 merges with a correct duration, and several segments joined.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ffprobeJson,
  makeLiveWebm,
  openService,
  sliceChunks,
  tempDir,
  type Chunk,
} from '../../support/media/fixtures';
import type { MediaService } from '../../../src-main/media/media-service';

let root: string;
let source: string;
const SECONDS = 6;

beforeAll(() => {
  root = tempDir('media-rec');
  source = path.join(root, 'source.webm');
  makeLiveWebm(source, { seconds: SECONDS });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function ingest(
  service: MediaService,
  recordingId: string,
  segment: number,
  chunks: Chunk[],
): Promise<void> {
  for (const [seq, chunk] of chunks.entries()) {
    const ack = await service.appendChunk({
      recordingId,
      segment,
      seq,
      elapsedMs: chunk.elapsedMs,
      bytes: chunk.bytes,
    });
    expect(ack.seq).toBe(seq);
  }
}

describe('media recording service', () => {
  it('appends chunks durably with their sha256 and merges into a seekable WebM of the recorded length', async () => {
    const fx = await openService(tempDir('media-a'));
    try {
      const start = await fx.service.start({
        sessionId: 's1',
        mimeType: 'video/webm;codecs=vp8,opus',
        expectedDurationS: 60,
      });
      expect(start.timesliceMs).toBe(2000);
      const chunks = sliceChunks(source, 3, SECONDS * 1000);
      await ingest(fx.service, start.recordingId, start.segment, chunks);

      const rows = await fx.ledger.chunks(start.recordingId, 0);
      expect(rows.map((r) => r.size)).toEqual(chunks.map((c) => c.bytes.length));
      const segment = await fx.ledger.segment(start.recordingId, 0);
      const onDisk = fs.readFileSync(segment!.file);
      expect(onDisk.equals(fs.readFileSync(source))).toBe(true);
      expect(rows[1]!.offset).toBe(chunks[0]!.bytes.length);

      // The source has no duration (live WebM): the merge must produce one.
      expect(ffprobeJson(source).format.duration).toBeUndefined();
      const merged = await fx.service.stop(start.recordingId, SECONDS * 1000);
      expect(merged.format).toBe('webm');
      const probe = ffprobeJson(merged.path);
      expect(Number(probe.format.duration)).toBeGreaterThan(SECONDS * 0.99);
      expect(Number(probe.format.duration)).toBeLessThan(SECONDS * 1.01);
      expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
      // Seekable: the Matroska Cues element (index) is present in the merged file, not in the source.
      const cuesId = Buffer.from([0x1c, 0x53, 0xbb, 0x6b]);
      expect(fs.readFileSync(merged.path).includes(cuesId)).toBe(true);
      expect(fs.readFileSync(source).includes(cuesId)).toBe(false);
      expect((await fx.ledger.recording(start.recordingId))!.state).toBe('merged');
      // Segments are kept after the merge (deleted only after upload receipt and retention).
      expect(fs.existsSync(segment!.file)).toBe(true);
    } finally {
      await fx.close();
    }
  });

  it('re-acknowledges a retried chunk, refuses gaps and conflicting content, and emits merge progress', async () => {
    const progress: number[] = [];
    const fx = await openService(tempDir('media-b'), {
      emit: (event, payload) => {
        if (event === 'mediaMergeProgress') progress.push((payload as { percent: number }).percent);
      },
    });
    try {
      const { recordingId } = await fx.service.start({
        sessionId: 's2',
        mimeType: 'video/webm',
        expectedDurationS: 60,
      });
      const chunks = sliceChunks(source, 3, SECONDS * 1000);
      await fx.service.appendChunk({ recordingId, segment: 0, seq: 0, ...chunks[0]! });
      const again = await fx.service.appendChunk({ recordingId, segment: 0, seq: 0, ...chunks[0]! });
      expect(again.durableBytes).toBe(chunks[0]!.bytes.length);
      await expect(
        fx.service.appendChunk({ recordingId, segment: 0, seq: 2, ...chunks[2]! }),
      ).rejects.toMatchObject({
        code: 'CONFLICT',
        details: { reason: 'out_of_order', expectedSeq: 1 },
      });
      await expect(
        fx.service.appendChunk({ recordingId, segment: 0, seq: 0, ...chunks[1]! }),
      ).rejects.toMatchObject({
        details: { reason: 'out_of_order' },
      });
      await fx.service.appendChunk({ recordingId, segment: 0, seq: 1, ...chunks[1]! });
      await fx.service.appendChunk({ recordingId, segment: 0, seq: 2, ...chunks[2]! });
      await fx.service.stop(recordingId, SECONDS * 1000);
      expect(progress.at(-1)).toBe(100);
      await expect(
        fx.service.appendChunk({ recordingId, segment: 0, seq: 3, ...chunks[2]! }),
      ).rejects.toMatchObject({
        details: { reason: 'not_recording' },
      });
    } finally {
      await fx.close();
    }
  });

  it('joins the segments of a session recorded by two MediaRecorder runs, and can produce H.264/AAC MP4', async () => {
    const fx = await openService(tempDir('media-c'));
    try {
      const first = await fx.service.start({
        sessionId: 's3',
        mimeType: 'video/webm',
        expectedDurationS: 60,
        mp4: true,
      });
      await ingest(fx.service, first.recordingId, first.segment, sliceChunks(source, 2, SECONDS * 1000));
      // The renderer reloaded: a new recorder for the same session opens segment 1 of the same recording.
      const second = await fx.service.start({
        sessionId: 's3',
        mimeType: 'video/webm',
        expectedDurationS: 60,
      });
      expect(second).toMatchObject({ recordingId: first.recordingId, segment: 1 });
      await ingest(fx.service, second.recordingId, second.segment, sliceChunks(source, 3, SECONDS * 1000));
      const merged = await fx.service.stop(first.recordingId, SECONDS * 1000);
      expect(merged.format).toBe('mp4');
      expect(merged.recordedS).toBeCloseTo(2 * SECONDS, 3);
      const probe = ffprobeJson(merged.path);
      expect(Math.abs(Number(probe.format.duration) - 2 * SECONDS)).toBeLessThan(2 * SECONDS * 0.01);
      expect(merged.streams).toEqual(
        expect.arrayContaining([
          { type: 'video', codec: 'h264' },
          { type: 'audio', codec: 'aac' },
        ]),
      );
    } finally {
      await fx.close();
    }
  });
});
