// Blob upload throughput over loopback: a 64 MiB file through the real chunked uploader (per-chunk
// sha256 on both sides, offsets checked, whole hash verified by finish) into PostgreSQL.
// 1 MiB chunks (the default) are the goal's figure; 4 MiB is reported for comparison.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeviceChannel } from '../../src-main/central/device-channel';
import { registerBlob } from '../../src-main/store/blob-uploads';
import { openLocalStore } from '../../src-main/store/local-store';
import { startSession } from '../../src-main/store/sessions';
import { nextPendingBlobs, uploadBlob } from '../../src-main/sync/blob-uploader';
import { Uploader } from '../../src-main/sync/uploader';
import { startCentral } from '../support/central';
import { percentile, writeBenchResult } from './support/result';

const MIB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_BLOB_MIB ?? 64) * MIB;

const central = await startCentral();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-blob-'));
try {
  const device = await central.enroll();
  const store = await openLocalStore(path.join(dir, 'vigil.db'));
  const sessionId = store.write('start', (tx) => startSession(tx, { examId: device.examId }));
  await new Uploader({ store, channel: central.channel, token: () => device.token }).syncOnce();
  const file = path.join(dir, 'video.webm');
  const data = randomBytes(SIZE); // incompressible, like encoded video
  fs.writeFileSync(file, data);
  const sha256 = createHash('sha256').update(data).digest('hex');
  // Time inside blob_finish (the server re-reads every chunk to check the whole sha256), reported
  // separately so the chunk path and the final check can be told apart.
  let finishMs = 0;
  const channel: DeviceChannel = {
    ...central.channel,
    blobFinish: async (token, blobId) => {
      const t = performance.now();
      try {
        return await central.channel.blobFinish(token, blobId);
      } finally {
        finishMs += performance.now() - t;
      }
    },
  };
  // 1 MiB chunks (the default) three times, median reported: the machine is shared and one run
  // can land on a burst of someone else's load. 4 MiB once, for comparison.
  const runs: Record<number, { mbps: number; finishMs: number }[]> = { 1: [], 4: [] };
  for (const chunkMiB of [1, 1, 1, 4]) {
    const id = randomUUID();
    store.write('register', (tx) =>
      registerBlob(tx, {
        id,
        sessionId,
        kind: 'video',
        path: file,
        sha256,
        size: SIZE,
        contentType: 'video/webm',
        deleteAfterUpload: false,
      }),
    );
    const row = nextPendingBlobs(store).find((r) => r.id === id)!;
    finishMs = 0;
    const t0 = performance.now();
    const receipt = await uploadBlob(store, channel, device.token, row, chunkMiB * MIB);
    const seconds = (performance.now() - t0) / 1000;
    if (receipt?.sha256 !== sha256) throw new Error('receipt hash mismatch');
    runs[chunkMiB]!.push({ mbps: SIZE / 1e6 / seconds, finishMs });
  }
  const median = (values: number[]) => percentile(values, 50);
  const figures: Record<string, number | string> = {
    sizeMiB: SIZE / MIB,
    chunk1MiB_MBps: Number(median(runs[1]!.map((r) => r.mbps)).toFixed(1)),
    chunk1MiB_runs_MBps: runs[1]!.map((r) => r.mbps.toFixed(1)).join(' '),
    chunk1MiB_finishMs: Math.round(median(runs[1]!.map((r) => r.finishMs))),
    chunk4MiB_MBps: Number(runs[4]![0]!.mbps.toFixed(1)),
  };
  await store.close();
  const best = figures.chunk1MiB_MBps as number;
  writeBenchResult({
    // The CI/dev machine is shared: the 1-minute load average says how contended this run was.
    name: 'blob-upload',
    figures: { ...figures, loadAverage1m: Number(os.loadavg()[0]!.toFixed(1)) },
    goals: { throughput1MiBChunks: { target: '>= 50 MB/s over loopback', met: best >= 50 } },
    notes:
      'Whole path: read file, sha256 per chunk (the next chunk is read and hashed while the server stores the ' +
      'current one), vigil.blob_chunk() as the device login with the chunk as a binary bytea parameter (token check, ' +
      'offset check, server-side sha256, chunk row insert), progress committed to SQLite every 16 MiB, ' +
      'vigil.blob_finish() re-reads every chunk and recomputes the whole sha256 (chunk1MiB_finishMs). 1 MiB: median ' +
      'of 3 uploads. PostgreSQL 15 throwaway cluster (shared_buffers 32 MB), fsync off, loopback.',
  });
} finally {
  await central.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
