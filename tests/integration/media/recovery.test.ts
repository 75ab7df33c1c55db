// Recovery without a browser: a recording left `recording` by a crash is merged from its segments
// at the next start, a torn last chunk is dropped (and only the last), bytes written but never
// acknowledged are cut off, the recording is marked recovered and the gap recorded as an event.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffprobeJson, makeLiveWebm, openService, sliceChunks, tempDir } from '../../support/media/fixtures';

let root: string;
let source: string;
const SECONDS = 8;

beforeAll(() => {
  root = tempDir('media-recover');
  source = path.join(root, 'source.webm');
  makeLiveWebm(source, { seconds: SECONDS });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function crashAfter(dir: string, count: number): Promise<{ recordingId: string; file: string }> {
  const fx = await openService(dir);
  const { recordingId } = await fx.service.start({
    sessionId: 'crashy',
    mimeType: 'video/webm',
    expectedDurationS: 60,
  });
  const chunks = sliceChunks(source, 4, SECONDS * 1000);
  for (let seq = 0; seq < count; seq++) {
    await fx.service.appendChunk({ recordingId, segment: 0, seq, ...chunks[seq]! });
  }
  const file = (await fx.ledger.segment(recordingId, 0))!.file;
  await fx.close(); // the process "dies": no stop, no merge
  return { recordingId, file };
}

describe('recovery of unfinished recordings', () => {
  it('merges after a torn last chunk, dropping only that chunk, and records the gap', async () => {
    const dir = tempDir('rec-torn');
    const { recordingId, file } = await crashAfter(dir, 3);
    fs.truncateSync(file, fs.statSync(file).size - 500); // the disk lost the tail of the last chunk
    const fx = await openService(dir);
    try {
      const [outcome, ...rest] = await fx.service.recoverUnfinished();
      expect(rest).toEqual([]);
      expect(outcome).toMatchObject({ ok: true, recordingId, droppedChunks: 1 });
      const probe = ffprobeJson(outcome!.merged!.path);
      expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
      // Two of four quarters of the source survive: about 4 s.
      expect(Number(probe.format.duration)).toBeGreaterThan(3);
      expect((await fx.ledger.recording(recordingId))?.state).toBe('recovered');
      const events = await fx.ledger.events(recordingId);
      expect(events.map((e) => e.kind)).toEqual(['recording_gap']);
      expect(events[0]!.payload).toMatchObject({ reason: 'crash', droppedChunks: 1 });
      expect(await fx.service.recoverUnfinished()).toEqual([]);
    } finally {
      await fx.close();
    }
  });

  it('after a restart, the same session continues its recording in a new segment, the gap recorded', async () => {
    const dir = tempDir('rec-resume');
    const { recordingId, file } = await crashAfter(dir, 3);
    fs.truncateSync(file, fs.statSync(file).size - 500); // the disk lost the tail of the last chunk
    const fx = await openService(dir);
    try {
      const resumed = await fx.service.start({
        sessionId: 'crashy',
        mimeType: 'video/webm',
        expectedDurationS: 60,
      });
      expect(resumed.recordingId).toBe(recordingId);
      expect(resumed.segment).toBe(1);
      // Cut back to its acknowledged chunks: the torn one is gone, from the ledger too.
      const first = (await fx.ledger.segment(recordingId, 0))!;
      expect(first.chunks).toBe(2);
      expect(fs.statSync(file).size).toBe(first.durable_bytes);
      const events = await fx.ledger.events(recordingId);
      expect(events.map((e) => e.kind)).toEqual(['recording_gap']);
      expect(events[0]!.payload).toMatchObject({ reason: 'crash', droppedChunks: 1, continued: true });
      // Live again: recovery leaves it alone.
      expect(await fx.service.recoverUnfinished()).toEqual([]);
      expect((await fx.ledger.recording(recordingId))?.state).toBe('recording');
    } finally {
      await fx.close();
    }
  });

  it('cuts off bytes written after the last acknowledged chunk and keeps every acknowledged one', async () => {
    const dir = tempDir('rec-extra');
    const { recordingId, file } = await crashAfter(dir, 2);
    const acked = fs.statSync(file).size;
    fs.appendFileSync(file, Buffer.alloc(3000, 7)); // written, never recorded in the ledger
    const fx = await openService(dir);
    try {
      const [outcome] = await fx.service.recoverUnfinished();
      expect(outcome).toMatchObject({ ok: true, droppedChunks: 0 });
      expect(fs.statSync(file).size).toBe(acked);
      expect((await fx.ledger.recording(recordingId))?.state).toBe('recovered');
    } finally {
      await fx.close();
    }
  });

  it('does not hide real damage: more than the last chunk missing fails with MEDIA_INVALID, segments kept', async () => {
    const dir = tempDir('rec-bad');
    const { recordingId, file } = await crashAfter(dir, 3);
    fs.truncateSync(file, 100);
    const fx = await openService(dir);
    try {
      const [outcome] = await fx.service.recoverUnfinished();
      expect(outcome).toMatchObject({
        ok: false,
        recordingId,
        error: { code: 'MEDIA_INVALID', reason: 'segment_truncated' },
      });
      expect(fs.existsSync(file)).toBe(true);
      expect((await fx.ledger.recording(recordingId))?.state).toBe('failed');
    } finally {
      await fx.close();
    }
  });
});
