// The merge is a job of the device's one runner: the stop and its merge job commit together, a
// crash between the stop and the merge leaves a job the next start runs by itself, a failed
// attempt is retried (the stop still hears of the first failure at once), and the session's
// recording upload waits for the merge.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realDiskIo } from '../../../src-main/media/disk-io';
import { enqueueJob, jobState } from '../../../src-main/store/jobs';
import { enqueueAfterSession } from '../../../src-main/session/after-session-jobs';
import { ffprobeJson, makeLiveWebm, openService, sliceChunks, tempDir } from '../../support/media/fixtures';
import type { ServiceFixture } from '../../support/media/fixtures';

let root: string;
let source: string;
const SECONDS = 6;

beforeAll(() => {
  root = tempDir('merge-job');
  source = path.join(root, 'source.webm');
  makeLiveWebm(source, { seconds: SECONDS });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function record(fx: ServiceFixture, sessionId: string): Promise<string> {
  const { recordingId } = await fx.service.start({
    sessionId,
    mimeType: 'video/webm',
    expectedDurationS: 60,
  });
  const chunks = sliceChunks(source, 3, SECONDS * 1000);
  for (let seq = 0; seq < chunks.length; seq++)
    await fx.service.appendChunk({ recordingId, segment: 0, seq, ...chunks[seq]! });
  return recordingId;
}

describe('the merge as a job', () => {
  it('the stop returns the merged file from its merge job, whose row holds the result', async () => {
    const fx = await openService(tempDir('merge-job-stop'));
    try {
      const recordingId = await record(fx, 's-stop');
      const merged = await fx.service.stop(recordingId, SECONDS * 1000);
      expect(Number(ffprobeJson(merged.path).format.duration)).toBeGreaterThan(SECONDS - 1);
      const job = jobState(fx.store, 'merge', recordingId)!;
      expect(job).toMatchObject({ status: 'done', sessionId: 's-stop', attempts: 1 });
      expect((job.result as { merged: { path: string } }).merged.path).toBe(merged.path);
      expect((await fx.ledger.recording(recordingId))?.state).toBe('merged');
    } finally {
      await fx.close();
    }
  });

  it('a crash after the stop leaves its merge job; the next start merges without being asked', async () => {
    const dir = tempDir('merge-job-crash');
    // The first process stops the recording but dies before its runner picks the merge up.
    const idle = await openService(dir, {}, { start: false });
    const recordingId = await record(idle, 's-crash');
    const recording = (await idle.ledger.recording(recordingId))!;
    await idle.ledger.stopAndQueueMerge(recording, {
      ended_at: new Date().toISOString(),
      stop_reason: 'finished',
    });
    expect(jobState(idle.store, 'merge', recordingId)?.status).toBe('queued');
    await idle.close();

    const fx = await openService(dir);
    try {
      await expect
        .poll(() => jobState(fx.store, 'merge', recordingId)?.status, { timeout: 20_000 })
        .toBe('done');
      const row = (await fx.ledger.recording(recordingId))!;
      expect(row.state).toBe('merged');
      expect(Number(ffprobeJson(row.merged_path!).format.duration)).toBeGreaterThan(SECONDS - 1);
      // A normal stop, not a crash: nothing was lost, no gap is recorded.
      expect(await fx.ledger.events(recordingId)).toEqual([]);
    } finally {
      await fx.close();
    }
  });

  it('a failed attempt is reported to the stop at once and retried by the runner until it merges', async () => {
    let diskFull = false;
    const fx = await openService(
      tempDir('merge-job-retry'),
      { io: { ...realDiskIo, freeBytes: async () => (diskFull ? 1024 : 2 ** 40) } },
      { baseBackoffMs: 300, maxBackoffMs: 600 },
    );
    try {
      const recordingId = await record(fx, 's-retry');
      diskFull = true;
      await expect(fx.service.stop(recordingId, SECONDS * 1000)).rejects.toMatchObject({
        code: 'DISK_FULL',
        details: { reason: 'disk_full' },
      });
      expect(jobState(fx.store, 'merge', recordingId)).toMatchObject({
        status: 'queued',
        attempts: 1,
        lastError: { code: 'DISK_FULL' },
      });
      expect((await fx.ledger.recording(recordingId))?.state).toBe('failed');
      // Space is freed: the same job merges on its next attempt, with nobody asking again.
      diskFull = false;
      await expect
        .poll(() => jobState(fx.store, 'merge', recordingId)?.status, { timeout: 20_000 })
        .toBe('done');
      expect(jobState(fx.store, 'merge', recordingId)?.attempts).toBe(2);
      const row = (await fx.ledger.recording(recordingId))!;
      expect(row.state).toBe('merged');
      expect(Number(ffprobeJson(row.merged_path!).format.duration)).toBeGreaterThan(SECONDS - 1);
    } finally {
      await fx.close();
    }
  });

  it('the recording upload after the session waits for the merge', async () => {
    const fx = await openService(tempDir('merge-job-upload'));
    try {
      const recordingId = await record(fx, 's-upload');
      const recording = (await fx.ledger.recording(recordingId))!;
      const mergeId = fx.store.write('stop', (tx) =>
        enqueueJob(tx, {
          kind: 'merge',
          sessionId: recording.session_id,
          key: recordingId,
          payload: { recordingId },
        }),
      );
      fx.store.write('finish', (tx) => enqueueAfterSession(tx, 's-upload', recordingId));
      expect(jobState(fx.store, 'recording_upload', 's-upload')?.dependsOn).toEqual([mergeId]);
    } finally {
      await fx.close();
    }
  });
});
