// Regenerates the demo's sample media in resources/sample/ (see the README there) from the NASA
// astronaut photo alone, on a drawn backdrop, so the shipped sample has public-domain sources only:
//   node --import tsx tests/support/demo/make-sample-media.ts
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { resolveMediaBinaries } from '../../../src-main/media/binaries';
import { makeIdCard } from '../proctoring/id-card';
import { fixture } from '../proctoring/scenes';

const OUT = path.resolve(import.meta.dirname, '../../../resources/sample');
const W = 640;
const H = 480;
const FPS = 2;

/** A plain room drawn in SVG: wall, window, shelf and desk (no photo, no licence question). */
const backdropSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
  <defs><linearGradient id="wall" x1="0" y1="0" x2="1" y2="1">
    <stop offset="0" stop-color="#c9d3dc"/><stop offset="1" stop-color="#9fb0bf"/></linearGradient></defs>
  <rect width="${W}" height="${H}" fill="url(#wall)"/>
  <rect x="430" y="40" width="170" height="150" fill="#e8f1f7" stroke="#6b5b45" stroke-width="10"/>
  <line x1="515" y1="40" x2="515" y2="190" stroke="#6b5b45" stroke-width="6"/>
  <rect x="30" y="120" width="150" height="12" fill="#7a6448"/>
  <rect x="40" y="82" width="22" height="38" fill="#b5523b"/><rect x="66" y="90" width="18" height="30" fill="#3b6db5"/>
  <rect x="88" y="78" width="26" height="42" fill="#4f8a4c"/>
  <rect x="0" y="400" width="${W}" height="80" fill="#8a6e4b"/>
</svg>`;

async function scene(faces: { width: number; left: number; top: number; flop?: boolean }[]): Promise<Buffer> {
  const layers = await Promise.all(
    faces.map(async (f) => {
      let image = sharp(fixture('astronaut.jpg')).resize({ width: f.width });
      if (f.flop) image = image.flop();
      return { input: await image.toBuffer(), left: f.left, top: f.top };
    }),
  );
  return sharp(Buffer.from(backdropSvg)).composite(layers).png().toBuffer();
}

/** The script: frontal → nobody → two people → frontal (seconds per scene). */
export const SAMPLE_SCRIPT = [
  { name: 'frontal', seconds: 4, faces: [{ width: 300, left: 170, top: 90 }] },
  { name: 'no-face', seconds: 5, faces: [] },
  {
    name: 'two-faces',
    seconds: 5,
    faces: [
      { width: 300, left: 10, top: 90 },
      { width: 300, left: 330, top: 90, flop: true },
    ],
  },
  { name: 'frontal', seconds: 4, faces: [{ width: 300, left: 170, top: 90 }] },
];

async function main(): Promise<void> {
  const { ffmpeg } = resolveMediaBinaries({});
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-sample-'));
  try {
    const inputs: string[] = [];
    for (const [i, step] of SAMPLE_SCRIPT.entries()) {
      const file = path.join(tmp, `scene-${i}.png`);
      fs.writeFileSync(file, await scene(step.faces));
      inputs.push('-loop', '1', '-framerate', String(FPS), '-t', String(step.seconds), '-i', file);
    }
    const labels = SAMPLE_SCRIPT.map((_, i) => `[${i}:v]`).join('');
    execFileSync(ffmpeg, [
      '-y',
      '-v',
      'error',
      ...inputs,
      '-filter_complex',
      `${labels}concat=n=${SAMPLE_SCRIPT.length}:v=1:a=0,fps=${FPS},format=yuv420p[v]`,
      '-map',
      '[v]',
      '-c:v',
      'libx264',
      '-preset',
      'veryslow',
      '-crf',
      '30',
      '-movflags',
      '+faststart',
      path.join(OUT, 'face-video.mp4'),
    ]);
    // A palette PNG: a quarter of the size, and unlike JPEG it keeps the MRZ digits crisp for OCR.
    await sharp(await makeIdCard())
      .png({ palette: true, compressionLevel: 9, effort: 10 })
      .toFile(path.join(OUT, 'id-card.png'));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
