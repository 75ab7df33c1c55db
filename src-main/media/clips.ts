// Short clips around a warning and a poster frame, cut from a merged recording for the proctor
// console (and, in flags_only mode, the only video that ever leaves the device). Clips are
// re-encoded (H.264/AAC, ultrafast) so they start exactly where asked, not at the previous keyframe.
import ffmpeg from 'fluent-ffmpeg';
import fs from 'node:fs';
import path from 'node:path';
import type { MediaBinaries } from './binaries';
import { fsError, mediaError } from './media-error';

function run(command: ffmpeg.FfmpegCommand): Promise<void> {
  return new Promise((resolve, reject) => {
    command
      .on('error', (error: Error, _out: string | null, stderr: string | null) =>
        reject(Object.assign(error, { stderrTail: (stderr ?? '').split('\n').slice(-6).join('\n') })),
      )
      .on('end', () => resolve())
      .run();
  });
}

async function writeVia(
  output: string,
  what: string,
  build: (partial: string) => ffmpeg.FfmpegCommand,
): Promise<void> {
  try {
    fs.mkdirSync(path.dirname(output), { recursive: true });
  } catch (error) {
    throw fsError(error, what, path.dirname(output));
  }
  const partial = path.join(path.dirname(output), `.${path.basename(output)}.partial`);
  try {
    await run(build(partial));
    fs.renameSync(partial, output);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw mediaError(
      'merge_failed',
      `ffmpeg could not make ${what} ${output}: ${(error as Error).message.split('\n')[0]}`,
      {
        output,
        ffmpeg: (error as { stderrTail?: string }).stderrTail ?? '',
      },
      error,
    );
  }
}

export interface ClipRequest {
  input: string;
  output: string;
  /** Centre of the clip in seconds from the recording's start (a warning's start). */
  atS: number;
  /** Seconds kept before and after `atS`. */
  beforeS: number;
  afterS: number;
  /** Recording length, so a clip near the end does not run past it. */
  durationS: number;
}

export function clipWindow(request: Pick<ClipRequest, 'atS' | 'beforeS' | 'afterS' | 'durationS'>): {
  startS: number;
  lengthS: number;
} {
  // A warning stamped after the last frame (clock skew, end of recording) gets the recording's end.
  const atS = Math.max(0, Math.min(request.atS, request.durationS));
  const startS = Math.max(0, atS - request.beforeS);
  const endS = Math.min(atS + request.afterS, request.durationS);
  return { startS, lengthS: Math.max(0, endS - startS) };
}

export async function extractClip(
  bins: MediaBinaries,
  request: ClipRequest,
): Promise<{ startS: number; lengthS: number }> {
  const window = clipWindow(request);
  await writeVia(request.output, 'the warning clip', (partial) =>
    ffmpeg()
      .setFfmpegPath(bins.ffmpeg)
      .input(request.input)
      .inputOptions([`-ss ${window.startS.toFixed(3)}`])
      .outputOptions([
        `-t ${Math.max(0.1, window.lengthS).toFixed(3)}`,
        '-c:v libx264',
        '-preset ultrafast',
        '-crf 28',
        '-pix_fmt yuv420p',
        '-c:a aac',
        '-b:a 64k',
        '-movflags +faststart',
        '-y',
        '-f mp4',
      ])
      .output(partial),
  );
  return window;
}

export async function extractPoster(
  bins: MediaBinaries,
  input: string,
  output: string,
  atS: number,
): Promise<void> {
  const grab = (seekS: number) =>
    writeVia(output, 'the poster frame', (partial) =>
      ffmpeg()
        .setFfmpegPath(bins.ffmpeg)
        .input(input)
        .inputOptions([`-ss ${Math.max(0, seekS).toFixed(3)}`])
        .outputOptions(['-frames:v 1', '-q:v 4', '-y', '-f image2', '-c:v mjpeg'])
        .output(partial),
    );
  try {
    await grab(atS);
  } catch (error) {
    // A seek at or past the last frame of a short recording yields no frame at all: take the first.
    if (atS <= 0) throw error;
    await grab(0);
  }
}
