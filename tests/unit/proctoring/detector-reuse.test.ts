// When the face detector runs on live frames: on its reuse period while faces are tracked, after
// every empty result, and with nobody in view only when the picture changed or the period is over.
import { describe, expect, it } from 'vitest';
import { DetectorReuse, type DetectorPlan } from '../../../src-main/proctoring/detector-reuse';
import type { LumaGrid } from '../../../src-main/proctoring/image-quality';

const SENSITIVITY = 0.7;
const grid = (level: number, noise = 0): LumaGrid => {
  const values = new Float32Array(16 * 12);
  for (let i = 0; i < values.length; i++) values[i] = level + (i % 2 === 0 ? noise : -noise);
  return { width: 16, height: 12, values };
};

/** Runs frames 500 ms apart; `faces[i]` is what the models would find if they ran. */
function plans(
  reuse: DetectorReuse,
  frames: { grid: LumaGrid; faces: number }[],
  reuseMs = 1500,
): DetectorPlan[] {
  return frames.map((frame, i) => {
    const plan = reuse.plan(i * 500, reuseMs, frame.grid);
    if (plan !== 'unchanged_empty') reuse.record(i * 500, plan, frame.faces, frame.grid);
    return plan;
  });
}

describe('DetectorReuse', () => {
  it('tracks faces between detector runs, one every 1.5 s of frame time', () => {
    const frames = Array.from({ length: 7 }, () => ({ grid: grid(100, 2), faces: 1 }));
    expect(plans(new DetectorReuse(SENSITIVITY), frames)).toEqual([
      'detect',
      'track',
      'track',
      'detect',
      'track',
      'track',
      'detect',
    ]);
  });

  it('reuses an empty result while the picture stays the same (sensor noise only)', () => {
    const frames = Array.from({ length: 7 }, (_, i) => ({ grid: grid(100, i % 2 ? 3 : 1), faces: 0 }));
    expect(plans(new DetectorReuse(SENSITIVITY), frames)).toEqual([
      'detect',
      'unchanged_empty',
      'unchanged_empty',
      'detect',
      'unchanged_empty',
      'unchanged_empty',
      'detect',
    ]);
  });

  it('runs the detector at once when the picture changes after nobody was found', () => {
    const frames = [
      { grid: grid(100), faces: 0 },
      { grid: grid(100), faces: 0 },
      // Someone sits down: the picture differs from the empty one by far more than noise.
      { grid: grid(140), faces: 1 },
      { grid: grid(140), faces: 1 },
    ];
    expect(plans(new DetectorReuse(SENSITIVITY), frames)).toEqual([
      'detect',
      'unchanged_empty',
      'detect',
      'track',
    ]);
  });

  it('compares with the picture at the empty detection, so a slow change adds up', () => {
    // Each frame differs from the previous by 6 levels (under the threshold, about 13 levels RMS);
    // the third differs from the empty picture by 18 and is checked, the fourth from that by 6.
    const frames = [0, 6, 12, 18, 24].map((step) => ({ grid: grid(100 + step), faces: 0 }));
    expect(plans(new DetectorReuse(SENSITIVITY), frames, 5000)).toEqual([
      'detect',
      'unchanged_empty',
      'unchanged_empty',
      'detect',
      'unchanged_empty',
    ]);
  });

  it('detects after a face is lost and on every frame when reuse is off', () => {
    const lost = [
      { grid: grid(100), faces: 1 },
      { grid: grid(100), faces: 0 },
      { grid: grid(100), faces: 0 },
    ];
    // Frame 1: the mesh lost the tracked face (no detector run), so frame 2 must detect.
    expect(plans(new DetectorReuse(SENSITIVITY), lost)).toEqual(['detect', 'track', 'detect']);
    const off = Array.from({ length: 3 }, () => ({ grid: grid(100), faces: 0 }));
    expect(plans(new DetectorReuse(SENSITIVITY), off, 0)).toEqual(['detect', 'detect', 'detect']);
  });
});
