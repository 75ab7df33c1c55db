// A 3-hour recording at the default bitrate (≈ 1.46 GB, over the old 512 MiB ceiling and over
// PostgreSQL's 1 GB value limit) goes up through the device's real uploader to a real PostgreSQL,
// and a proctor's range read in the middle returns exactly the local file's bytes, read chunk by
// chunk: the process's memory grows by a small fraction of the file, never by the file. The server's
// configured limit refuses it up front with its reason, keeping the file, until an admin raises it.
import { randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReviewService } from '../../../src-main/review/review-service';
import { registerBlob } from '../../../src-main/store/blob-uploads';
import { startSession } from '../../../src-main/store/sessions';
import { Uploader } from '../../../src-main/sync/uploader';
import { createExam } from '../../../src-main/central/admin';
import { enrollLocalDevice, startCentral, type CentralFixture } from '../../support/central';
import { makeLongRecording, type LongRecording } from '../../support/media/long-recording';
import { makeTempDir } from '../../support/temp-dir';

const MIB = 1024 * 1024;
let central: CentralFixture;
let recording: LongRecording;
const temp = makeTempDir('vigil-long-recording-');

beforeAll(async () => {
  [central, recording] = await Promise.all([startCentral(), makeLongRecording(temp.dir)]);
}, 120_000);
afterAll(async () => {
  await central?.close();
  temp.cleanup();
});

/** Peak resident memory above the level when it started, sampled every 20 ms while `task` runs. */
async function peakGrowth<T>(task: () => Promise<T>): Promise<{ value: T; growth: number }> {
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  try {
    const value = await task();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, growth: peak - base };
  } finally {
    clearInterval(timer);
  }
}

// Live memory (JS heap + Buffers) after a full collection: what a read really holds on to, apart
// from garbage the collector has not reached yet.
v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function liveBytes(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function localBytes(file: string, start: number, length: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    expect(fs.readSync(fd, buffer, 0, length, start)).toBe(length);
    return buffer;
  } finally {
    fs.closeSync(fd);
  }
}

describe('a 3-hour recording', () => {
  it('reaches central through the uploader and reads back by range in the middle, in bounded memory', async () => {
    expect(recording.size).toBeGreaterThan(1.4e9); // 3 h at 1.064 Mbit/s
    // A 3-hour exam: its storage quota (central 0520, from the exam's length) holds the recording.
    const examId = await createExam(central.owner.db, {
      title: 'Three-hour exam',
      type: 'SKL',
      difficulty: 5,
      keyQuestions: [{ question: 'Why?', time_limit_s: 3 * 3600 }],
    });
    const device = await enrollLocalDevice(central, {
      dir: path.join(temp.dir, 'device'),
      examId,
      label: 'long',
    });
    // The server's limit came with the exam (default 4 GiB), for the check before recording starts.
    expect(device.exam.maxBlobBytes).toBe(4 * 1024 * MIB);
    const { store } = device;
    const sessionId = store.write('start', (tx) => startSession(tx, { examId }));
    const register = (id: string) =>
      store.write('register', (tx) =>
        registerBlob(tx, {
          id,
          sessionId,
          kind: 'video',
          path: recording.file,
          sha256: recording.sha256,
          size: recording.size,
          contentType: 'video/webm',
          deleteAfterUpload: false,
        }),
      );
    const uploader = new Uploader({ store, channel: central.channel, token: () => device.token() });

    // An administrator allowing 1 GB: refused with the server's reason, kept, the queue not blocked.
    await central.owner.query(`UPDATE vigil.central_settings SET max_blob_bytes = 1000000000`);
    const refusedId = randomUUID();
    register(refusedId);
    await uploader.syncOnce();
    const refused = store.raw
      .prepare('SELECT status, reason FROM blob_uploads WHERE id = ?')
      .get(refusedId) as {
      status: string;
      reason: string;
    };
    expect(refused.status).toBe('rejected');
    expect(refused.reason).toContain('larger than this server accepts (1000000000 bytes)');
    expect(refused.reason).toContain('max_blob_bytes');
    expect(fs.existsSync(recording.file)).toBe(true);

    // Raised again: the whole file goes up in 1 MiB chunks; the uploader holds two chunks at a time.
    await central.owner.query(`UPDATE vigil.central_settings SET max_blob_bytes = 4294967296`);
    const blobId = randomUUID();
    register(blobId);
    const upload = await peakGrowth(() => uploader.syncOnce());
    expect(upload.value.blobs).toBe(1);
    expect(upload.growth).toBeLessThan(recording.size / 8);
    const [row] = await central.owner.query<{ status: string; size: string; whole_hash_verified: boolean }>(
      `SELECT status, size, whole_hash_verified FROM vigil.blobs WHERE id = $1`,
      [blobId],
    );
    expect(row).toEqual({ status: 'complete', size: String(recording.size), whole_hash_verified: false });
    expect(store.raw.prepare('SELECT status FROM blob_uploads WHERE id = ?').get(blobId)).toEqual({
      status: 'done',
    });

    // The proctor of the exam reads it under row-level security, by range.
    const proctor = await central.createProctor('proctor_long', [examId]);
    const review = new ReviewService(proctor.store.query);
    const blob = await review.blob(recording.sha256);
    expect(blob).toMatchObject({ size: recording.size, contentType: 'video/webm' });

    // A range in the middle that starts and ends inside chunks: exactly the local file's bytes.
    const start = Math.floor(recording.size / 2) - 12_345;
    const length = 3 * MIB + 777;
    const parts: Buffer[] = [];
    for await (const part of blob.read({ start, end: start + length })) parts.push(part);
    expect(Buffer.concat(parts).equals(localBytes(recording.file, start, length))).toBe(true);

    // 256 MiB from the middle on, streamed and hashed: the same bytes; what the read holds live stays
    // a few pages of chunks (under 64 MiB after a full collection), and the process (garbage included)
    // stays far below the range, let alone the file.
    const long = 256 * MIB;
    const liveBefore = liveBytes();
    let liveGrowth = 0;
    const streamed = await peakGrowth(async () => {
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const part of blob.read({ start, end: start + long })) {
        hash.update(part);
        bytes += part.length;
        if (bytes % (32 * MIB) < part.length) liveGrowth = Math.max(liveGrowth, liveBytes() - liveBefore);
      }
      return { sha256: hash.digest('hex'), bytes };
    });
    const expected = createHash('sha256');
    const fd = fs.openSync(recording.file, 'r');
    const buffer = Buffer.alloc(8 * MIB);
    for (let at = start; at < start + long; at += buffer.length) {
      const n = fs.readSync(fd, buffer, 0, Math.min(buffer.length, start + long - at), at);
      expected.update(buffer.subarray(0, n));
    }
    fs.closeSync(fd);
    expect(streamed.value).toEqual({ sha256: expected.digest('hex'), bytes: long });
    expect(liveGrowth).toBeLessThan(64 * MIB);
    expect(streamed.growth).toBeLessThan(long / 2);

    // The last byte, and a range past the end is refused with the size.
    const tail: Buffer[] = [];
    for await (const part of blob.read({ start: recording.size - 1 })) tail.push(part);
    expect(Buffer.concat(tail).equals(localBytes(recording.file, recording.size - 1, 1))).toBe(true);
    expect(() => blob.read({ start: recording.size + 1 })).toThrow(/not inside/);
    await store.close();
  }, 240_000);
});
