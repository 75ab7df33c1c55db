// Console: a 3-hour recording at the default bitrate (≈ 1.46 GB, sent by the device's real uploader
// to PostgreSQL) played in Chromium through the headless host: time from seeking to a warning to
// the first frame presented there, and the main (host) process's memory while seeking. Every byte
// the `<video>` element gets is a Range request on /review-blob/, streamed from the stored chunks.
import os from 'node:os';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { launchChromium } from '../support/chromium';
import { seekAndPlay } from '../support/review/seek-video';
import { startLongRecordingConsole } from '../support/review/long-recording-console';
import { percentile, writeBenchResult } from './support/result';

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MB = 1e6;

const t = await startLongRecordingConsole();
const browser = await launchChromium();
try {
  const url = await t.blobUrl();
  gc();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const idle = process.memoryUsage.rss();
  let peak = idle;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);

  // A proctor opening the session at its middle warning: a fresh page each time, three times.
  const middle: number[] = [];
  for (let i = 0; i < 3; i++) {
    const page = await browser.newPage();
    await page.goto(t.host.url);
    const [r] = await seekAndPlay(page, url, [5400 + i * 7]);
    middle.push(r!.firstFrameMs);
    await page.close();
  }
  // Then stepping through twelve warnings spread over the three hours, out of order.
  const warnings = [600, 9000, 2400, 7800, 1200, 10_500, 4200, 6600, 300, 8400, 3000, 5100];
  const page = await browser.newPage();
  await page.goto(t.host.url);
  const stepped = await seekAndPlay(page, url, warnings);
  await page.close();
  clearInterval(timer);

  const median = percentile(middle, 50);
  const steps = stepped.map((r) => r.firstFrameMs);
  const aboveIdleMB = (peak - idle) / MB;
  writeBenchResult({
    name: 'console-seek',
    figures: {
      recordingMB: Number((t.recording.size / MB).toFixed(0)),
      recordingS: t.recording.durationS,
      middleFirstFrameMs_median: Math.round(median),
      middleFirstFrameMs_runs: middle.map((v) => Math.round(v)).join(' '),
      warningsFirstFrameMs_p50: Math.round(percentile(steps, 50)),
      warningsFirstFrameMs_max: Math.round(Math.max(...steps)),
      allPlayedOn: stepped.every((r, i) => r.playedToS > warnings[i]! + 0.5 && r.frameDecoded),
      mainIdleRssMB: Number((idle / MB).toFixed(0)),
      mainPeakAboveIdleMB: Number(aboveIdleMB.toFixed(1)),
      loadAverage1m: Number(os.loadavg()[0]!.toFixed(1)),
    },
    goals: {
      firstFrameAtMiddleWarning: { target: '<= 1 s over loopback', met: median <= 1000 },
      mainMemoryWhileSeeking: { target: '<= 100 MB above idle', met: aboveIdleMB <= 100 },
    },
    notes:
      'Synthetic 3 h recording: 30 s of noisy 320x240 VP8 at 1 Mbit/s + Opus 64 kbit/s looped by stream copy, cues ' +
      'in front as mergeSegments writes them; uploaded in 1 MiB chunks by the real uploader. Console signed in as the ' +
      "exam's proctor (row-level security on every chunk read). First frame: from setting currentTime to the " +
      'requestVideoFrameCallback of the frame presented there, in headless Chromium over loopback. Memory: RSS of the ' +
      'host process (contract, console services, /review-blob/ streaming from PostgreSQL) sampled every 20 ms.',
  });
} finally {
  await browser.close();
  await t.close();
}
