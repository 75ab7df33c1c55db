// Files for Chromium's fake camera and microphone: a .y4m of the committed face fixture, gently
// moving so the encoder sees motion, and a .wav of espeak-ng speech. Chromium loops both.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bins } from './fixtures';

export const FACE_FIXTURE = path.resolve('tests/fixtures/media/astronaut-face.jpg');

function ffmpeg(args: string[]): void {
  const run = spawnSync(bins().ffmpeg, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args]);
  if (run.status !== 0) throw new Error(`ffmpeg failed: ${run.stderr.toString()}`);
}

export function makeFakeCamera(dir: string, seconds = 4, fps = 15): string {
  const file = path.join(dir, 'camera.y4m');
  ffmpeg([
    '-loop',
    '1',
    '-framerate',
    String(fps),
    '-i',
    FACE_FIXTURE,
    '-vf',
    'rotate=0.08*sin(2*PI*t/4):fillcolor=gray,scale=320:240:force_original_aspect_ratio=decrease,pad=320:240:(ow-iw)/2:(oh-ih)/2,format=yuv420p',
    '-t',
    String(seconds),
    '-r',
    String(fps),
    '-f',
    'yuv4mpegpipe',
    file,
  ]);
  return file;
}

export function makeFakeMicrophone(dir: string): string {
  const speech = path.join(dir, 'speech-raw.wav');
  const run = spawnSync('espeak-ng', [
    '-w',
    speech,
    'I built a small service that keeps recordings safe when the laptop crashes. Let me explain how it works.',
  ]);
  if (run.status !== 0 || !fs.existsSync(speech)) {
    throw new Error(
      `espeak-ng failed (install it with apt-get install espeak-ng): ${run.stderr?.toString() ?? ''}`,
    );
  }
  const file = path.join(dir, 'microphone.wav');
  ffmpeg(['-i', speech, '-ar', '48000', '-ac', '1', '-c:a', 'pcm_s16le', file]);
  return file;
}
