// The whole recording path in a real browser: Chromium's fake camera (a face) and microphone
// (espeak-ng speech) → src-renderer/capture (MediaRecorder, 2 s timeslices) → contract over the
// host's WebSocket → durable segments → ffmpeg merge → ffprobe: video + audio, 10 s ± 1 %.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launchChromium } from '../../support/chromium';
import { buildCapturePage } from '../../support/media/capture-page';
import { makeFakeCamera, makeFakeMicrophone } from '../../support/media/fake-devices';
import { ffprobeJson, tempDir } from '../../support/media/fixtures';
import { startMediaHost, type MediaHost } from '../../support/media/host';
import { startExamSession } from '../../support/media/session';
import type { MergedRecording } from '../../../src-preload/contract';

interface CaptureResult {
  ok: boolean;
  error?: string;
  merged: MergedRecording;
  statuses: { chunksAcked: number }[];
}

let root: string;
let browser: Browser;
let media: MediaHost;

beforeAll(async () => {
  root = tempDir('media-e2e');
  const pageDir = await buildCapturePage(path.join(root, 'page'));
  browser = await launchChromium({ fakeVideo: makeFakeCamera(root), fakeAudio: makeFakeMicrophone(root) });
  media = await startMediaHost(path.join(root, 'data'), pageDir);
});
afterAll(async () => {
  await browser?.close();
  await media?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('recording in Chromium through the contract', () => {
  it('records 10 s into durable segments and merges a seekable file with video and audio of 10 s ± 1 %', async () => {
    const page = await browser.newPage();
    const progress: number[] = [];
    const detach = media.app.events.attach((event, payload) => {
      if (event === 'mediaMergeProgress') progress.push((payload as { percent: number }).percent);
    });
    // The device's exam session in progress, made by main: the recording is filed under it.
    const { sessionId } = await startExamSession(media.app);
    await page.goto(media.host.url.replace('/#', '/?seconds=10#'));
    await page.waitForFunction(() => 'vigilCaptureResult' in globalThis, undefined, { timeout: 45_000 });
    detach();
    const result = await page.evaluate(
      () => (globalThis as unknown as { vigilCaptureResult: CaptureResult }).vigilCaptureResult,
    );
    expect(result.error).toBeUndefined();
    fs.copyFileSync(result.merged.path, artifactPath('media', 'chromium-recording.webm'));
    expect(result.ok).toBe(true);
    // About 2 s timeslices: 5 or 6 chunks for 10 s, each acknowledged.
    expect(result.statuses.at(-1)!.chunksAcked).toBeGreaterThanOrEqual(5);

    const service = await media.app.context.media.service();
    const recording = await service.ledger.recording(result.merged.recordingId);
    expect(recording?.state).toBe('merged');
    expect(recording?.session_id).toBe(sessionId);
    const filed = (await media.app.context.candidate.store()).raw
      .prepare(
        `SELECT s.status FROM media_recordings r JOIN sessions s ON s.id = r.session_id WHERE r.id = ?`,
      )
      .get(result.merged.recordingId);
    expect(filed).toEqual({ status: 'in_progress' });
    const chunks = await service.ledger.chunks(result.merged.recordingId, 0);
    expect(chunks.length).toBeGreaterThanOrEqual(5);
    expect(chunks.every((c) => /^[0-9a-f]{64}$/.test(c.sha256))).toBe(true);

    const probe = ffprobeJson(result.merged.path);
    const types = probe.streams.map((s) => s.codec_type).sort();
    expect(types).toEqual(['audio', 'video']);
    const duration = Number(probe.format.duration);
    expect(duration).toBeGreaterThanOrEqual(9.9);
    expect(duration).toBeLessThanOrEqual(10.1);
    expect(Math.abs(duration - result.merged.recordedS)).toBeLessThanOrEqual(result.merged.recordedS * 0.01);
    expect(progress.at(-1)).toBe(100);
    // The devices used are remembered by id for the next session.
    const remembered = await page.evaluate(() =>
      (
        globalThis as unknown as { localStorage: { getItem(key: string): string | null } }
      ).localStorage.getItem('vigil.captureDevices'),
    );
    const choice = JSON.parse(remembered ?? '{}') as { cameraId?: unknown; microphoneId?: unknown };
    expect(typeof choice.cameraId).toBe('string');
    expect(typeof choice.microphoneId).toBe('string');
    fs.writeFileSync(
      artifactPath('media', 'chromium-recording.json'),
      JSON.stringify(
        {
          durationS: duration,
          recordedS: result.merged.recordedS,
          chunks: chunks.length,
          streams: probe.streams.map((s) => s.codec_type),
        },
        null,
        2,
      ),
    );
    await page.close();
  }, 120_000);
});
