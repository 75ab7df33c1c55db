// Fake camera and microphone files for the candidate end-to-end tests: a looping .y4m built from the
// real face photos (frontal, then nobody, then two people, then frontal again) and espeak-ng speech.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bins } from '../media/fixtures';
import { makeFakeMicrophone } from '../media/fake-devices';
import { scenes, type SceneName } from '../proctoring/scenes';

export const CANDIDATE_SCRIPT: { scene: SceneName; seconds: number }[] = [
  { scene: 'frontal', seconds: 12 },
  { scene: 'noFace', seconds: 6 },
  { scene: 'twoFaces', seconds: 6 },
  { scene: 'frontal', seconds: 8 },
];

export async function makeCandidateCamera(dir: string, fps = 4): Promise<string> {
  const inputs: string[] = [];
  for (const [i, step] of CANDIDATE_SCRIPT.entries()) {
    const file = path.join(dir, `scene-${i}.png`);
    fs.writeFileSync(file, await scenes[step.scene]());
    inputs.push('-loop', '1', '-framerate', String(fps), '-t', String(step.seconds), '-i', file);
  }
  const labels = CANDIDATE_SCRIPT.map((_, i) => `[${i}:v]`).join('');
  const out = path.join(dir, 'candidate-camera.y4m');
  execFileSync(bins().ffmpeg, [
    '-y',
    '-v',
    'error',
    ...inputs,
    '-filter_complex',
    `${labels}concat=n=${CANDIDATE_SCRIPT.length}:v=1:a=0,fps=${fps},format=yuv420p[v]`,
    '-map',
    '[v]',
    '-f',
    'yuv4mpegpipe',
    out,
  ]);
  return out;
}

export function makeCandidateMicrophone(dir: string): string {
  return makeFakeMicrophone(dir);
}
