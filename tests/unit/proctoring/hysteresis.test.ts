// Hysteresis: minimum duration and frames before a warning, a quiet period before it ends, and
// frames that cannot tell leave the state alone.
import { describe, expect, it } from 'vitest';
import { HysteresisTracker } from '../../../src-main/proctoring/hysteresis';

const timing = { minDurationMs: 2000, clearAfterMs: 1000, minFrames: 2 };

describe('HysteresisTracker', () => {
  it('never raises from a single frame, even with no minimum duration', () => {
    const t = new HysteresisTracker({ minDurationMs: 0, clearAfterMs: 0, minFrames: 2 });
    expect(t.update(0, true)).toBeNull();
    expect(t.update(500, true)).toMatchObject({ kind: 'raised', startMs: 0, frames: 2 });
  });

  it('raises once the condition held for the minimum duration, dated from its first frame', () => {
    const t = new HysteresisTracker(timing);
    const out = [0, 500, 1000, 1500, 2000, 2500].map((ms) => t.update(ms, true, 0.8));
    expect(out.slice(0, 4).every((x) => x === null)).toBe(true);
    expect(out[4]).toEqual({ kind: 'raised', startMs: 0, atMs: 2000, frames: 5, confidence: 0.8 });
    expect(out[5]).toBeNull();
  });

  it('forgets a run that stops before the minimum duration', () => {
    const t = new HysteresisTracker(timing);
    t.update(0, true);
    t.update(1500, true);
    expect(t.update(1900, false)).toBeNull();
    expect(t.update(2000, true)).toBeNull();
    expect(t.update(3500, true)).toBeNull();
    expect(t.update(4000, true)).toMatchObject({ kind: 'raised', startMs: 2000 });
  });

  it('ends only after the condition stayed away for clearAfterMs, at the moment it stopped', () => {
    const t = new HysteresisTracker(timing);
    for (const ms of [0, 1000, 2000]) t.update(ms, true);
    expect(t.update(2500, false)).toBeNull();
    expect(t.update(3000, true)).toBeNull(); // flicker back: still the same warning
    expect(t.update(3500, false)).toBeNull();
    expect(t.update(4000, false)).toBeNull();
    expect(t.update(4500, false)).toMatchObject({ kind: 'ended', startMs: 0, endMs: 3500 });
    expect(t.active).toBe(false);
  });

  it('ignores frames that cannot judge, and flush closes an active warning', () => {
    const t = new HysteresisTracker(timing);
    t.update(0, true);
    expect(t.update(1000, null)).toBeNull();
    expect(t.update(2000, true)).toMatchObject({ kind: 'raised', frames: 2 });
    expect(t.flush(9000)).toMatchObject({ kind: 'ended', startMs: 0, endMs: 9000 });
    expect(t.flush(9500)).toBeNull();
  });
});
