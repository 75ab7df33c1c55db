// kill -9 of the process that is receiving a recording: Chromium records through a host running in
// a child process, the child is killed with SIGKILL after a few acknowledged chunks, and
// `vigil media recover` then produces a playable file covering all but at most the last chunk.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaLedger } from '../../../src-main/media/ledger';
import { lazyLocalStore } from '../../../src-main/store/lazy-store';
import { openLocalStore } from '../../../src-main/store/local-store';
import { finishSession } from '../../../src-main/store/sessions';
import { createMediaRuntime, ledgerFileFor } from '../../../src-main/media/runtime';
import { artifactPath, launchChromium } from '../../support/chromium';
import { buildCapturePage } from '../../support/media/capture-page';
import { makeFakeCamera, makeFakeMicrophone } from '../../support/media/fake-devices';
import { ffprobeJson, tempDir } from '../../support/media/fixtures';

interface CaptureState {
  recordingId: string;
  statuses: { chunksAcked: number; elapsedMs: number }[];
}

let root: string;
let browser: Browser;
let child: ChildProcess | undefined;

beforeAll(async () => {
  root = tempDir('media-crash');
  browser = await launchChromium({ fakeVideo: makeFakeCamera(root), fakeAudio: makeFakeMicrophone(root) });
});
afterAll(async () => {
  if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await browser?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** The host child, once it has started the device's exam session (main files recordings under it). */
function startChild(
  dataDir: string,
  pageDir: string,
): Promise<{ url: string; pid: number; sessionId: string }> {
  child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tests/support/media/host-child.ts', dataDir, pageDir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, VIGIL_POLICY_FILE: path.join(dataDir, 'no-policy.json') },
    },
  );
  const lines = readline.createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    lines.once('line', (line) =>
      resolve(JSON.parse(line) as { url: string; pid: number; sessionId: string }),
    );
    child!.once('exit', (code) => reject(new Error(`host child exited early (${code})`)));
  });
}

describe('crash recovery', () => {
  it('recovers a playable recording after kill -9, losing at most the last chunk', async () => {
    const dataDir = path.join(root, 'data');
    const pageDir = await buildCapturePage(path.join(root, 'page'));
    const started = await startChild(dataDir, pageDir);
    const page = await browser.newPage();
    await page.goto(started.url.replace('/#', '/?seconds=0#'));
    await page.waitForFunction(
      () => {
        const state = (globalThis as unknown as { vigilCapture?: CaptureState }).vigilCapture;
        return (state?.statuses.at(-1)?.chunksAcked ?? 0) >= 3;
      },
      undefined,
      { timeout: 45_000, polling: 100 },
    );
    // The recorder is still running and sending: kill the receiving process mid-stream.
    process.kill(started.pid, 'SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    const state = await page.evaluate(
      () => (globalThis as unknown as { vigilCapture: CaptureState }).vigilCapture,
    );
    await page.close();
    const lastAcked = state.statuses.filter((s) => s.chunksAcked > 0).at(-1)!;
    expect(lastAcked.chunksAcked).toBeGreaterThanOrEqual(3);

    // Main filed the recording under the session it started, not one the page named. A session
    // still in progress would continue this recording when the candidate is back (the ledger's
    // unfinishedRecordings); this candidate never comes back, so the session is ended, through the
    // product's sessions repository, and the recording is the crash's for `vigil media recover`.
    const local = await openLocalStore(ledgerFileFor(dataDir));
    try {
      expect((await new MediaLedger(local).recording(state.recordingId))?.session_id).toBe(started.sessionId);
      expect(local.raw.prepare('SELECT status FROM sessions WHERE id = ?').get(started.sessionId)).toEqual({
        status: 'in_progress',
      });
      local.write('session abandoned', (tx) =>
        finishSession(tx, { sessionId: started.sessionId, status: 'abandoned' }),
      );
    } finally {
      await local.close();
    }

    const recover = spawnSync(process.execPath, ['bin/vigil.mjs', 'media', 'recover', '--json'], {
      env: {
        ...process.env,
        VIGIL_DATA_DIR: dataDir,
        VIGIL_POLICY_FILE: path.join(dataDir, 'no-policy.json'),
      },
      encoding: 'utf8',
    });
    expect(recover.stderr).toBe('');
    expect(recover.status).toBe(0);
    const outcome = (
      JSON.parse(recover.stdout) as {
        recovered: { ok: boolean; recordingId: string; droppedChunks: number; merged: { path: string } }[];
      }
    ).recovered;
    expect(outcome).toHaveLength(1);
    expect(outcome[0]).toMatchObject({ ok: true, recordingId: state.recordingId });
    expect(outcome[0]!.droppedChunks).toBeLessThanOrEqual(1);

    const probe = ffprobeJson(outcome[0]!.merged.path);
    expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
    // All acknowledged chunks but at most the last one (2 s timeslices) are in the file.
    expect(Number(probe.format.duration)).toBeGreaterThanOrEqual((lastAcked.elapsedMs - 2000) / 1000);
    fs.writeFileSync(
      artifactPath('media', 'crash-recovery.json'),
      JSON.stringify({
        chunksAcked: lastAcked.chunksAcked,
        lastAckedElapsedS: lastAcked.elapsedMs / 1000,
        recoveredDurationS: Number(probe.format.duration),
        droppedChunks: outcome[0]!.droppedChunks,
      }),
    );

    const database = await openLocalStore(ledgerFileFor(dataDir));
    try {
      const ledger = new MediaLedger(database);
      const recording = await ledger.recording(state.recordingId);
      expect(recording?.state).toBe('recovered');
      expect(recording?.session_id).toBe(started.sessionId);
      const gap = (await ledger.events(state.recordingId)).find((e) => e.kind === 'recording_gap');
      expect(gap?.payload).toMatchObject({ reason: 'crash' });
      expect(gap?.payload.gapMs).toBeGreaterThanOrEqual(0);
    } finally {
      await database.close();
    }
    // Recovering again finds nothing left to do.
    const store = lazyLocalStore(ledgerFileFor(dataDir));
    const runtime = createMediaRuntime({
      dataDir,
      store: store.get,
      jobs: store.jobs,
      config: { reserveMb: 256 },
    });
    try {
      expect(await runtime.recover()).toEqual([]);
    } finally {
      await runtime.close();
      await store.close();
    }
  }, 120_000);
});
