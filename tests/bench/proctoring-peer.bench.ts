// Vigil's detector against the classic OpenCV Haar-cascade detector on the same frames, side by
// side: frames per second on one thread (CPU time) and face counts against the fixtures' truth.
// Needs Debian's python3-opencv and opencv-data (benchmark only); without them the peer is skipped.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { createAnalyzerCore } from '../../src-main/proctoring/analyzer-core';
import { decodeImage } from '../../src-main/proctoring/decode-image';
import { defaultPolicy } from '../../src-main/proctoring/policy';
import { makeIdCard } from '../support/proctoring/id-card';
import { fixture, scenes } from '../support/proctoring/scenes';
import { percentile, writeBenchResult } from './support/result';

const run = promisify(execFile);
const REPEATS = 5;
const PYTHON = '/usr/bin/python3';
const CASCADE = '/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml';

const truth: { name: string; faces: number; make: () => Promise<Buffer> }[] = [
  {
    name: 'astronaut (frontal)',
    faces: 1,
    make: async () => sharp(fixture('astronaut.jpg')).png().toBuffer(),
  },
  { name: 'camera (turned)', faces: 1, make: async () => sharp(fixture('camera.jpg')).png().toBuffer() },
  { name: 'coffee (none)', faces: 0, make: async () => sharp(fixture('coffee.jpg')).png().toBuffer() },
  { name: 'chelsea (cat)', faces: 0, make: async () => sharp(fixture('chelsea.jpg')).png().toBuffer() },
  { name: 'scene frontal', faces: 1, make: scenes.frontal },
  { name: 'scene no face', faces: 0, make: scenes.noFace },
  { name: 'scene two faces', faces: 2, make: scenes.twoFaces },
  { name: 'scene three faces', faces: 3, make: scenes.threeFaces },
  { name: 'scene turned away', faces: 1, make: scenes.turnedAway },
  { name: 'scene covered', faces: 0, make: scenes.covered },
  { name: 'ID card', faces: 1, make: () => makeIdCard() },
];

const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-peer-'));
try {
  const files: string[] = [];
  for (const [i, t] of truth.entries()) {
    const file = path.join(dir, `${i}.png`);
    await writeFile(file, await t.make());
    files.push(file);
  }

  const core = await createAnalyzerCore();
  const vigil: { faces: number; ms: number }[] = [];
  for (const file of files) {
    const frame = await decodeImage(file);
    await core.analyze(frame, { gaze: false, embedding: false });
    const cpu: number[] = [];
    let faces = 0;
    for (let r = 0; r < REPEATS; r++) {
      const c0 = process.cpuUsage();
      const o = await core.analyze(frame, { gaze: false, embedding: false });
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      faces = o.faces.filter((f) => f.score >= defaultPolicy.minFaceScore).length;
    }
    vigil.push({ faces, ms: percentile(cpu, 50) });
  }

  let haar: { faces: number; ms: number }[] | null = null;
  let opencv = 'unavailable';
  if (existsSync(PYTHON) && existsSync(CASCADE)) {
    const { stdout } = await run(PYTHON, [
      path.resolve('tests/bench/proctoring-haar-peer.py'),
      String(REPEATS),
      ...files,
    ]);
    const parsed = JSON.parse(stdout) as { opencv: string; results: { faces: number; medianMs: number }[] };
    opencv = parsed.opencv;
    haar = parsed.results.map((r) => ({ faces: r.faces, ms: r.medianMs }));
  }

  const score = (rows: { faces: number }[]) => ({
    exact: rows.filter((r, i) => r.faces === truth[i]!.faces).length,
    missed: rows.reduce((s, r, i) => s + Math.max(0, truth[i]!.faces - r.faces), 0),
    falsePositives: rows.reduce((s, r, i) => s + Math.max(0, r.faces - truth[i]!.faces), 0),
  });
  const mean = (rows: { ms: number }[]) => rows.reduce((s, r) => s + r.ms, 0) / rows.length;
  const v = score(vigil);
  const h = haar ? score(haar) : null;
  const vMs = mean(vigil);
  const hMs = haar ? mean(haar) : null;
  const table = truth.map(
    (t, i) => `${t.name}: truth ${t.faces}, vigil ${vigil[i]!.faces}, haar ${haar?.[i]?.faces ?? '-'}`,
  );
  const r1 = (x: number): number => Math.round(x * 10) / 10;

  writeBenchResult({
    name: 'proctoring-peer',
    figures: {
      images: truth.length,
      facesInTruth: truth.reduce((s, t) => s + t.faces, 0),
      vigilExactCounts: v.exact,
      vigilMissedFaces: v.missed,
      vigilFalsePositives: v.falsePositives,
      vigilCpuMsPerFrame: r1(vMs),
      vigilFps: r1(1000 / vMs),
      haarExactCounts: h?.exact ?? null,
      haarMissedFaces: h?.missed ?? null,
      haarFalsePositives: h?.falsePositives ?? null,
      haarCpuMsPerFrame: hMs === null ? null : r1(hMs),
      haarFps: hMs === null ? null : r1(1000 / hMs),
      opencv,
      speedRatioVigilOverHaar: hMs === null ? null : Math.round((vMs / hMs) * 100) / 100,
      perImage: table.join(' | '),
    },
    goals: {
      accuracyAtLeastPeer: {
        target: 'Vigil gets at least as many exact face counts as the Haar cascade on the fixtures',
        met: h === null ? false : v.exact >= h.exact,
      },
    },
    notes:
      'Both on one thread, CPU time per frame (median of 5). Vigil = BlazeFace + FaceMesh (pose) without iris/description; Haar = haarcascade_frontalface_default, ' +
      'scaleFactor 1.1, minNeighbors 5, minSize 30, histogram-equalised greyscale. Frames: the committed fixtures and the composites the tests use.',
  });
} finally {
  await rm(dir, { recursive: true, force: true });
}
