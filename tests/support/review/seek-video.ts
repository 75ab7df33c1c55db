// Drives a `<video>` element in a console page: loads a session file's URL, then for each warning
// time seeks there and measures the time until the first frame at that position is presented
// (requestVideoFrameCallback), then plays briefly to show playback goes on from there.
// The page script is plain text: a function would be rewritten by the TypeScript loader (tsx adds
// helpers the page does not have).
import type { Page } from 'playwright-core';

export interface SeekResult {
  durationS: number;
  currentTimeS: number;
  /** From setting currentTime to the first frame presented there. */
  firstFrameMs: number;
  frameDecoded: boolean;
  playedToS: number;
}

const PAGE_SCRIPT = `async ({ src, seekTo }) => {
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'metadata';
  document.body.append(video);
  const once = (name) => new Promise((resolve) => video.addEventListener(name, resolve, { once: true }));
  const loaded = once('loadedmetadata');
  video.src = src;
  await loaded;
  const out = [];
  for (const at of seekTo) {
    const started = performance.now();
    const frame = new Promise((resolve) => video.requestVideoFrameCallback((_now, meta) => resolve(meta.mediaTime)));
    const seeked = once('seeked');
    video.currentTime = at;
    await seeked;
    const mediaTime = await frame;
    const firstFrameMs = performance.now() - started;
    const currentTimeS = video.currentTime;
    await video.play();
    const until = performance.now() + 5000;
    while (video.currentTime < at + 0.6 && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
    video.pause();
    out.push({
      durationS: video.duration,
      currentTimeS,
      firstFrameMs,
      frameDecoded: Math.abs(mediaTime - at) < 1.5 && video.readyState >= 2,
      playedToS: video.currentTime,
    });
  }
  video.remove();
  return out;
}`;

export async function seekAndPlay(page: Page, url: string, times: number[]): Promise<SeekResult[]> {
  return page.evaluate<SeekResult[]>(`(${PAGE_SCRIPT})(${JSON.stringify({ src: url, seekTo: times })})`);
}
