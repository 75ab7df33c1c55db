// The scripted video (frontal → no face → two faces → turned away → covered → frontal), generated
// with the bundled ffmpeg, through `vigil analyze --json` and through a live-style session: exactly
// the expected warnings, in order, starting within 1 s of the script, each with its evidence.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../../../src-main/proctoring/analyze-files';
import { WorkerFaceAnalyzer } from '../../../src-main/proctoring/face-analyzer';
import type { WarningEvent } from '../../../src-main/proctoring/types';
import { bundledFfmpeg } from '../../../src-main/proctoring/video-frames';
import { fixture, makeScriptedVideo, SCRIPT, SCRIPT_EXPECTED } from '../../support/proctoring/scenes';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');
let dir: string;
let video: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-scripted-'));
  video = await makeScriptedVideo(dir, bundledFfmpeg().ffmpeg);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function frontalStretches(): [number, number][] {
  let t = 0;
  const out: [number, number][] = [];
  for (const step of SCRIPT) {
    if (step.scene === 'frontal') out.push([t, t + step.seconds]);
    t += step.seconds;
  }
  return out;
}

describe('scripted video', () => {
  it('`vigil analyze --json` prints one array with the exact shape and the expected warnings', async () => {
    const { stdout } = await run(
      process.execPath,
      ['bin/vigil.mjs', 'analyze', '--json', video, fixture('astronaut.jpg'), fixture('coffee.jpg')],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    const results = JSON.parse(stdout) as Record<string, unknown>[];
    expect(results).toHaveLength(3);
    const [v, face, none] = results as [
      { file: string; detections: Record<string, unknown>[]; warnings: Record<string, unknown>[] },
      Record<string, unknown>,
      Record<string, unknown>,
    ];
    expect(Object.keys(v).sort()).toEqual(['detections', 'file', 'warnings']);
    expect(v.file).toBe(video);
    expect(Object.keys(face).sort()).toEqual(['detections', 'faces', 'file', 'warnings']);
    expect(face).toMatchObject({ faces: 1, warnings: [] });
    const detection = (face.detections as Record<string, unknown>[])[0]!;
    expect(Object.keys(detection).sort()).toEqual(['box', 'pitch', 'roll', 'score', 'yaw']);
    expect(detection.box).toHaveLength(4);
    expect(none).toMatchObject({ faces: 0, detections: [], warnings: [] });

    for (const w of v.warnings)
      expect(Object.keys(w).sort()).toEqual(['confidence', 'end_s', 'start_s', 'type']);
    const warnings = v.warnings as { type: string; start_s: number; end_s: number; confidence: number }[];
    expect(warnings.map((w) => w.type)).toEqual(SCRIPT_EXPECTED.map((e) => e.type));
    for (const [i, expected] of SCRIPT_EXPECTED.entries()) {
      expect(Math.abs(warnings[i]!.start_s - expected.startS), expected.type).toBeLessThanOrEqual(1);
      expect(Math.abs(warnings[i]!.end_s - expected.endS), expected.type).toBeLessThanOrEqual(1);
      expect(warnings[i]!.confidence).toBeGreaterThan(0.5);
    }
    for (const [from, to] of frontalStretches()) {
      const overlapping = warnings.filter((w) => w.start_s < to - 1 && w.end_s > from + 1);
      expect(overlapping, `frontal ${from}–${to} s`).toEqual([]);
    }
  });

  it('a live-style session raises each warning once, from several frames, with evidence and a snapshot', async () => {
    const analyzer = await WorkerFaceAnalyzer.start();
    const events: WarningEvent[] = [];
    try {
      const result = await analyzeFile(analyzer, video, { fps: 2, sink: (e) => events.push(e) });
      expect(result.error).toBeUndefined();
    } finally {
      await analyzer.close();
    }
    const raised = events.filter((e) => e.kind === 'raised').map((e) => e.warning);
    const ended = events.filter((e) => e.kind === 'ended').map((e) => e.warning);
    expect(raised.map((w) => w.type)).toEqual(SCRIPT_EXPECTED.map((e) => e.type));
    expect(ended.map((w) => w.id).sort()).toEqual(raised.map((w) => w.id).sort());
    for (const w of raised) {
      expect(w.details.framesAtRaise as number, w.type).toBeGreaterThanOrEqual(2);
      expect(w.endMs).toBeNull();
      expect(w.modelVersions).toMatchObject({ human: '3.3.6', backend: 'wasm' });
      expect(w.detector).toMatch(/human-3\.3\.6|image-statistics/);
      expect(w.thresholds).toHaveProperty('minDurationMs');
      expect(['low', 'medium', 'high']).toContain(w.severity);
      const jpeg = w.snapshot!.jpeg;
      expect([jpeg[0], jpeg[1], jpeg[2]]).toEqual([0xff, 0xd8, 0xff]);
      expect(w.snapshot).toMatchObject({ width: 640, height: 480 });
      // The snapshot is the frame that raised the warning, after the minimum duration.
      expect(w.snapshot!.timestampMs).toBeGreaterThanOrEqual(w.startMs + 1000);
    }
    const blocked = raised.find((w) => w.type === 'camera_blocked')!;
    expect(blocked.thresholds).toMatchObject({ maxBrightness: 25, minContrast: 8 });
    const many = raised.find((w) => w.type === 'multiple_faces')!;
    expect(many.details.faces).toBe(2);
  });
});
