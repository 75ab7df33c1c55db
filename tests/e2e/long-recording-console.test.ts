// A 3-hour recording (≈ 1.46 GB, sent by the device's real uploader) in the proctor's console: the
// URL the contract hands the page answers HTTP Range requests with 206 and the right Content-Range
// and bytes, refuses other pages (no key) and ranges past the end; in Chromium the `<video>` element
// loads it, seeks to warnings across the file and plays mid-file, while the host process (which
// streams every range from PostgreSQL) stays within a bounded amount of memory.
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRendererDir } from '../../src-main/host/renderer-dir';
import { launchChromium } from '../support/chromium';
import { seekAndPlay, type SeekResult } from '../support/review/seek-video';
import {
  startLongRecordingConsole,
  type LongRecordingConsole,
} from '../support/review/long-recording-console';

let t: LongRecordingConsole;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(`${defaultRendererDir()}/index.html`)) {
    throw new Error('The renderer is not built: run `npm run build` (npm test does it first).');
  }
  [t, browser] = await Promise.all([startLongRecordingConsole(), launchChromium()]);
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

function localBytes(start: number, length: number): Buffer {
  const fd = fs.openSync(t.recording.file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, start);
    return buffer;
  } finally {
    fs.closeSync(fd);
  }
}

describe('a 3-hour recording in the console', () => {
  it('answers Range requests on the URL the page gets, with the right bytes', async () => {
    const url = await t.blobUrl();
    expect(url).toMatch(/^\/review-blob\/[0-9a-f]{64}\?key=/);
    const size = t.recording.size;
    const start = Math.floor(size / 2) + 4321;
    const end = start + 2 * 1024 * 1024 + 99;
    const partial = await fetch(`${t.host.origin}${url}`, { headers: { range: `bytes=${start}-${end}` } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe(`bytes ${start}-${end}/${size}`);
    expect(partial.headers.get('content-length')).toBe(String(end - start + 1));
    expect(partial.headers.get('accept-ranges')).toBe('bytes');
    expect(partial.headers.get('content-type')).toBe('video/webm');
    expect(Buffer.from(await partial.arrayBuffer()).equals(localBytes(start, end - start + 1))).toBe(true);

    // The last 1000 bytes (where WebM keeps its cues), as a suffix range.
    const suffix = await fetch(`${t.host.origin}${url}`, { headers: { range: 'bytes=-1000' } });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get('content-range')).toBe(`bytes ${size - 1000}-${size - 1}/${size}`);
    expect(Buffer.from(await suffix.arrayBuffer()).equals(localBytes(size - 1000, 1000))).toBe(true);

    const past = await fetch(`${t.host.origin}${url}`, { headers: { range: `bytes=${size}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${size}`);
    await past.body?.cancel();

    // Another page that guessed the file's hash gets nothing without this sign-in's key.
    const keyless = await fetch(`${t.host.origin}${url.replace(/key=.*/, 'key=AAAA')}`);
    expect(keyless.status).toBe(403);
    await keyless.body?.cancel();
  }, 60_000);

  it('seeks the video element to warnings across the file and plays mid-file, in bounded memory', async () => {
    const page: Page = await browser.newPage();
    await page.goto(t.host.url);
    const url = await t.blobUrl();
    const idle = process.memoryUsage.rss();
    let peak = idle;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
    let results: SeekResult[];
    try {
      // A warning an hour in, one in the middle, one near the end, and back.
      results = await seekAndPlay(page, url, [3600, 5400, 10_000, 1800]);
    } finally {
      clearInterval(timer);
    }
    expect(results[0]!.durationS).toBeCloseTo(t.recording.durationS, 0);
    for (const [i, at] of [3600, 5400, 10_000, 1800].entries()) {
      const r = results[i]!;
      expect(Math.abs(r.currentTimeS - at)).toBeLessThan(1);
      expect(r.frameDecoded).toBe(true);
      // One range request at the target (cues in front), not a scan of every cluster before it
      // (over 20 s with the cues at the end). Generous: the machine is shared.
      expect(r.firstFrameMs).toBeLessThan(5000);
      expect(r.playedToS).toBeGreaterThan(at + 0.5); // it plays on from there
    }
    // The host streamed every range from PostgreSQL without holding the file: far below its size.
    expect(peak - idle).toBeLessThan(t.recording.size / 8);
    await page.close();
  }, 120_000);
});
