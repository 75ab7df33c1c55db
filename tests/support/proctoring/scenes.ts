// Builds test scenes from the committed photo fixtures (tests/fixtures/proctoring): composites with
// several faces, a covered camera, and the scripted video, so big media never sits in the repo.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';

const run = promisify(execFile);
export const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/proctoring');
export const fixture = (name: string): string => path.join(FIXTURES, name);

export const SCENE_W = 640;
export const SCENE_H = 480;

interface Layer {
  file: string;
  width: number;
  left: number;
  top: number;
  flop?: boolean;
}

/** A 640×480 PNG: the coffee photo as backdrop with face photos placed on it. */
export async function composeScene(layers: Layer[], backdrop = 'coffee.jpg'): Promise<Buffer> {
  const parts = await Promise.all(
    layers.map(async (layer) => {
      let image = sharp(fixture(layer.file)).resize({ width: layer.width });
      if (layer.flop) image = image.flop();
      return { input: await image.toBuffer(), left: layer.left, top: layer.top };
    }),
  );
  return sharp(fixture(backdrop))
    .resize(SCENE_W, SCENE_H, { fit: 'cover' })
    .composite(parts)
    .png()
    .toBuffer();
}

export const scenes = {
  frontal: () => composeScene([{ file: 'astronaut.jpg', width: 300, left: 170, top: 90 }]),
  noFace: () => composeScene([]),
  twoFaces: () =>
    composeScene([
      { file: 'astronaut.jpg', width: 300, left: 10, top: 90 },
      { file: 'astronaut.jpg', width: 300, left: 330, top: 90, flop: true },
    ]),
  threeFaces: () =>
    composeScene([
      { file: 'astronaut.jpg', width: 210, left: 0, top: 130 },
      { file: 'astronaut.jpg', width: 210, left: 215, top: 130, flop: true },
      { file: 'astronaut.jpg', width: 210, left: 430, top: 130 },
    ]),
  turnedAway: () => composeScene([{ file: 'camera.jpg', width: 384, left: 128, top: 48 }]),
  /** A hand over the lens: nearly black, a little sensor noise. */
  covered: async () => {
    const noise = Buffer.alloc(SCENE_W * SCENE_H * 3);
    let seed = 7;
    for (let i = 0; i < noise.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      noise[i] = 6 + (seed % 5);
    }
    return sharp(noise, { raw: { width: SCENE_W, height: SCENE_H, channels: 3 } })
      .png()
      .toBuffer();
  },
};

export type SceneName = keyof typeof scenes;

/** The scripted session: each segment lasts `seconds`; expected warnings start at segment starts. */
export const SCRIPT: { scene: SceneName; seconds: number }[] = [
  { scene: 'frontal', seconds: 4 },
  { scene: 'noFace', seconds: 4 },
  { scene: 'twoFaces', seconds: 4 },
  { scene: 'turnedAway', seconds: 4 },
  { scene: 'covered', seconds: 4 },
  { scene: 'frontal', seconds: 4 },
];

const startOf = (i: number): number => SCRIPT.slice(0, i).reduce((t, step) => t + step.seconds, 0);

/** Expected warnings: each non-frontal segment raises one, from its start to its end. */
export const SCRIPT_EXPECTED: { type: string; startS: number; endS: number }[] = [
  { type: 'no_face', startS: startOf(1), endS: startOf(2) },
  { type: 'multiple_faces', startS: startOf(2), endS: startOf(3) },
  { type: 'looking_away', startS: startOf(3), endS: startOf(4) },
  { type: 'camera_blocked', startS: startOf(4), endS: startOf(5) },
];

/** Writes the scripted video (H.264, 640×480, `fps` frames per second) with the bundled ffmpeg. */
export async function makeScriptedVideo(dir: string, ffmpegPath: string, fps = 2): Promise<string> {
  await mkdir(dir, { recursive: true });
  const inputs: string[] = [];
  for (const [i, step] of SCRIPT.entries()) {
    const file = path.join(dir, `seg-${i}.png`);
    await writeFile(file, await scenes[step.scene]());
    inputs.push('-loop', '1', '-framerate', String(fps), '-t', String(step.seconds), '-i', file);
  }
  const labels = SCRIPT.map((_, i) => `[${i}:v]`).join('');
  const out = path.join(dir, 'scripted.mp4');
  await run(ffmpegPath, [
    '-y',
    '-v',
    'error',
    ...inputs,
    '-filter_complex',
    `${labels}concat=n=${SCRIPT.length}:v=1:a=0,fps=${fps},format=yuv420p[v]`,
    '-map',
    '[v]',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-crf',
    '28',
    out,
  ]);
  return out;
}
