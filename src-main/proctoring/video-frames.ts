// Decodes a video into RawFrames at a fixed rate with the bundled ffmpeg (overridable), the way the
// renderer samples a live camera: downscaled to fit 640×480, `fps` frames per second.
import { execFile, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { VigilError } from '../errors';
import type { RawFrame } from './types';

const require = createRequire(import.meta.url);
const run = promisify(execFile);

export function bundledFfmpeg(): { ffmpeg: string; ffprobe: string } {
  return {
    ffmpeg: process.env.VIGIL_FFMPEG_PATH ?? (require('@ffmpeg-installer/ffmpeg') as { path: string }).path,
    ffprobe:
      process.env.VIGIL_FFPROBE_PATH ?? (require('@ffprobe-installer/ffprobe') as { path: string }).path,
  };
}

export interface VideoInfo {
  width: number;
  height: number;
  durationS: number;
}

export async function probeVideo(file: string, ffprobe = bundledFfmpeg().ffprobe): Promise<VideoInfo | null> {
  try {
    const { stdout } = await run(ffprobe, [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=width,height,codec_type:format=duration',
      '-of',
      'json',
      file,
    ]);
    const info = JSON.parse(stdout) as {
      streams?: { width?: number; height?: number; codec_type?: string }[];
      format?: { duration?: string };
    };
    const stream = info.streams?.[0];
    if (!stream?.width || !stream.height) return null;
    return { width: stream.width, height: stream.height, durationS: Number(info.format?.duration ?? 0) };
  } catch {
    return null;
  }
}

/** Fits (w, h) inside maxW×maxH, keeping even sizes for the scaler. */
function fit(w: number, h: number, maxW: number, maxH: number): [number, number] {
  const scale = Math.min(1, maxW / w, maxH / h);
  return [Math.max(2, Math.round((w * scale) / 2) * 2), Math.max(2, Math.round((h * scale) / 2) * 2)];
}

/** Yields frames at `fps`; the consumer's pace throttles ffmpeg (stdout is read on demand). */
export async function* videoFrames(
  file: string,
  options: { fps?: number; maxWidth?: number; maxHeight?: number; ffmpeg?: string; ffprobe?: string } = {},
): AsyncGenerator<RawFrame> {
  const tools = bundledFfmpeg();
  const info = await probeVideo(file, options.ffprobe ?? tools.ffprobe);
  if (!info) throw new VigilError('BAD_REQUEST', `This is not a readable video: ${file}.`);
  const fps = options.fps ?? 2;
  const [width, height] = fit(info.width, info.height, options.maxWidth ?? 640, options.maxHeight ?? 480);
  const child = spawn(
    options.ffmpeg ?? tools.ffmpeg,
    [
      '-v',
      'error',
      '-i',
      file,
      '-vf',
      `fps=${fps},scale=${width}:${height}`,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  const frameBytes = width * height * 3;
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= frameBytes) {
        const data = new Uint8Array(frameBytes);
        data.set(pending.subarray(0, frameBytes));
        pending = pending.subarray(frameBytes);
        yield { width, height, channels: 3, data, timestampMs: Math.round((index++ * 1000) / fps) };
      }
    }
    const code = await exited;
    if (code !== 0) throw new VigilError('BAD_REQUEST', `ffmpeg could not decode ${file}.`, { stderr });
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
