// The demo's camera and recorder, played from the sample media in resources/sample/ (public-domain
// sources, see the README there): camera frames sampled from the face video as small JPEGs, the way
// the renderer's frame sampler sends them, and a MediaRecorder-like live WebM cut into timeslices.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { VigilError } from '../errors';
import { encodeJpeg } from '../proctoring/decode-image';
import { probeVideo, videoFrames } from '../proctoring/video-frames';

const run = promisify(execFile);

export interface SampleMedia {
  /** The scripted face video (H.264): frontal → nobody → two people → frontal. */
  video: string;
  /** A fictitious ID card carrying the same face. */
  idCard: string;
}

export function sampleMedia(
  dir = fileURLToPath(new URL('../../resources/sample', import.meta.url)),
): SampleMedia {
  const media = { video: `${dir}/face-video.mp4`, idCard: `${dir}/id-card.png` };
  for (const file of Object.values(media)) {
    if (!fs.existsSync(file)) {
      throw new VigilError('NOT_FOUND', `The demo's sample media is missing: ${file}. Reinstall Vigil.`, {
        file,
      });
    }
  }
  return media;
}

export interface CameraFrame {
  /** Offset of the frame in the video. */
  atMs: number;
  jpeg: Uint8Array<ArrayBuffer>;
  width: number;
  height: number;
}

/** Every frame the renderer's sampler would send at `fps`, decoded up front (the video is tiny). */
export async function cameraFrames(video: string, fps: number, ffmpeg: string, ffprobe: string) {
  const frames: CameraFrame[] = [];
  let i = 0;
  for await (const frame of videoFrames(video, { fps, ffmpeg, ffprobe })) {
    frames.push({
      atMs: Math.round((i++ * 1000) / fps),
      jpeg: new Uint8Array(await encodeJpeg(frame, 80)),
      width: frame.width,
      height: frame.height,
    });
  }
  return frames;
}

export interface RecorderChunk {
  bytes: Uint8Array<ArrayBuffer>;
  /** Milliseconds of recording covered once this chunk is stored. */
  elapsedMs: number;
}

/** Encodes the video as MediaRecorder records a camera: VP8 + Opus live WebM (no duration, no cues). */
export async function encodeRecorderWebm(
  video: string,
  out: string,
  tools: { ffmpeg: string; ffprobe: string },
): Promise<{ file: string; durationMs: number; mimeType: string }> {
  const info = await probeVideo(video, tools.ffprobe);
  if (!info) throw new VigilError('MEDIA_INVALID', `The demo's sample video cannot be read: ${video}.`);
  await run(tools.ffmpeg, [
    '-y',
    '-v',
    'error',
    '-nostdin',
    '-i',
    video,
    '-f',
    'lavfi',
    '-i',
    'anullsrc=channel_layout=mono:sample_rate=48000',
    '-t',
    String(info.durationS),
    '-vf',
    'fps=10,scale=320:240',
    '-c:v',
    'libvpx',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    '250k',
    '-c:a',
    'libopus',
    '-b:a',
    '24k',
    '-f',
    'webm',
    '-live',
    '1',
    out,
  ]);
  return { file: out, durationMs: Math.round(info.durationS * 1000), mimeType: 'video/webm;codecs=vp8,opus' };
}

/** Cuts a recording into one chunk per timeslice, as MediaRecorder.start(timeslice) delivers it. */
export function sliceTimeslices(file: string, durationMs: number, timesliceMs: number): RecorderChunk[] {
  const data = fs.readFileSync(file);
  const count = Math.max(1, Math.ceil(durationMs / timesliceMs));
  const chunks: RecorderChunk[] = [];
  for (let i = 0; i < count; i++) {
    const start = Math.floor((data.length * i) / count);
    const end = Math.floor((data.length * (i + 1)) / count);
    chunks.push({
      bytes: new Uint8Array(data.subarray(start, end)),
      elapsedMs: Math.min(durationMs, (i + 1) * timesliceMs),
    });
  }
  return chunks;
}
