// The exam's analysis rate: the proctoring.frameRate setting, lowered (never raised) by the
// system check's CPU probe on a slow machine, with the reason the chain records.
import { describe, expect, it } from 'vitest';
import { frameRateFor } from '../../../src-main/session/system-check';

describe('frameRateFor', () => {
  it('keeps the configured rate on a fast machine, whatever it is', () => {
    for (const configured of [0.2, 0.5, 1, 2, 5, 10]) {
      expect(frameRateFor(20, configured)).toEqual({
        fps: configured,
        configuredFps: configured,
        cpuProbeMs: 20,
        reason: 'configured',
      });
    }
  });

  it('lowers it on a slow machine, never below one frame in two seconds on the probe alone', () => {
    expect(frameRateFor(100, 2)).toMatchObject({ fps: 1, reason: 'cpu_probe' });
    expect(frameRateFor(400, 2)).toMatchObject({ fps: 0.5, reason: 'cpu_probe' });
    expect(frameRateFor(400, 4)).toMatchObject({ fps: 1, reason: 'cpu_probe' });
    expect(frameRateFor(400, 1)).toMatchObject({ fps: 0.5, reason: 'cpu_probe' });
  });

  it('never raises a low setting (the floor is for the probe, not for the institution)', () => {
    expect(frameRateFor(400, 0.2)).toMatchObject({ fps: 0.2, reason: 'configured' });
    expect(frameRateFor(400, 0.5)).toMatchObject({ fps: 0.5, reason: 'configured' });
  });
});
