// Which optional models run on which frame: the face-description model only with a reference face,
// on its cadence, when the faces in view change and while a mismatch is being confirmed.
import { describe, expect, it } from 'vitest';
import { ModelSchedule } from '../../../src-main/proctoring/model-schedule';
import { resolvePolicy } from '../../../src-main/proctoring/policy';
import type { FaceObservation, FrameObservation } from '../../../src-main/proctoring/types';

const policy = resolvePolicy({ frames: { embeddingEveryMs: 5000, gazeEveryMs: 0, detectorReuseMs: 1000 } });
const face = (x: number): FaceObservation => ({
  box: [x, 100, 200, 200],
  score: 0.95,
  pose: { yaw: 0, pitch: 0, roll: 0 },
});
const obs = (timestampMs: number, faces: FaceObservation[]): FrameObservation => ({
  timestampMs,
  width: 640,
  height: 480,
  faces,
  quality: { brightness: 120, contrast: 50, sharpness: 300 },
  analysisMs: 20,
  ran: { faceModels: true, gaze: true, embedding: false },
});

/** Runs a stream (one entry per 500 ms frame) and returns the frame times that got a description. */
function described(schedule: ModelSchedule, frames: FaceObservation[][], mismatch = false): number[] {
  const out: number[] = [];
  frames.forEach((faces, i) => {
    const t = i * 500;
    const options = schedule.next(t);
    if (options.embedding) out.push(t);
    schedule.record(obs(t, faces), options, options.embedding && faces.length > 0 ? mismatch : null);
  });
  return out;
}

/**
 * One face for `frames` frames (500 ms apart) that looks as described until `changesFromMs`, with
 * `mismatch` as every description's verdict; returns the frame times that got a description.
 */
function describedUntilChange(frames: number, changesFromMs: number, mismatch: boolean): number[] {
  const schedule = new ModelSchedule(policy);
  schedule.setReference(true);
  const out: number[] = [];
  for (let i = 0; i < frames; i++) {
    const t = i * 500;
    const options = schedule.next(t);
    if (options.embedding) out.push(t);
    const changed = !options.embedding && t >= changesFromMs;
    schedule.record(
      { ...obs(t, [face(200)]), faceChangedSinceDescription: changed },
      options,
      options.embedding ? mismatch : null,
    );
  }
  return out;
}

describe('ModelSchedule', () => {
  it('never runs the description model without a reference face', () => {
    const schedule = new ModelSchedule(policy);
    expect(
      described(
        schedule,
        Array.from({ length: 40 }, () => [face(200)]),
      ),
    ).toEqual([]);
  });

  it('describes on the cadence while the same face stays in view', () => {
    const schedule = new ModelSchedule(policy);
    schedule.setReference(true);
    expect(
      described(
        schedule,
        Array.from({ length: 25 }, () => [face(200)]),
      ),
    ).toEqual([0, 5000, 10_000]);
    expect(schedule.embeddingRuns).toMatchObject({ cadence: 3, scene_changed: 0 });
  });

  it('describes again as soon as the faces change: someone leaves and comes back, or a face jumps', () => {
    const schedule = new ModelSchedule(policy);
    schedule.setReference(true);
    const stream = [[face(200)], [face(200)], [], [], [face(200)], [face(200)], [face(450)], [face(450)]];
    // Frame 3 (no face) is asked too but has nothing to describe; frame 4 is the face coming back;
    // frame 7 follows the jump seen at frame 6 (the schedule decides from the previous frame).
    expect(described(schedule, stream)).toEqual([0, 1500, 2000, 3500]);
    expect(schedule.embeddingRuns.scene_changed).toBe(2);
  });

  it('re-checks a flipped verdict quickly, keeps checking while another person is there, then the cadence', () => {
    const schedule = new ModelSchedule(policy);
    schedule.setReference(true);
    const times: number[] = [];
    // Another person from 0 s to 10 s (mismatch), the candidate again from 10 s (same face box).
    for (let i = 0; i < 40; i++) {
      const t = i * 500;
      const options = schedule.next(t);
      if (options.embedding) times.push(t);
      schedule.record(obs(t, [face(200)]), options, options.embedding ? t < 10_000 : null);
    }
    // Mismatch: re-checked once, when the rule can raise it (minDurationMs 3000); then every 2 s
    // (clearAfterMs) while the other person stays; the flip back is re-checked once, when the rule
    // can end the warning (clearAfterMs); then the 5 s cadence.
    expect(times).toEqual([0, 3000, 5000, 7000, 9000, 11_000, 13_000, 18_000]);
    expect(schedule.embeddingRuns).toMatchObject({ cadence: 2, confirming: 6 });
  });

  it('carries the last gaze reading over to the same face between iris frames, never to another', () => {
    const schedule = new ModelSchedule(resolvePolicy({ frames: { gazeEveryMs: 1000 } }));
    const withGaze = { ...face(200), gaze: { bearing: 0.5, strength: 0.7 } };
    schedule.carryGaze(obs(0, [withGaze]), { gaze: true, embedding: false });
    const same = schedule.carryGaze(obs(500, [face(210)]), { gaze: false, embedding: false });
    expect(same.faces[0]!.gaze).toEqual({ bearing: 0.5, strength: 0.7 });
    const moved = schedule.carryGaze(obs(500, [face(450)]), { gaze: false, embedding: false });
    expect(moved.faces[0]!.gaze).toBeUndefined();
    const stale = schedule.carryGaze(obs(1500, [face(200)]), { gaze: false, embedding: false });
    expect(stale.faces[0]!.gaze).toBeUndefined();
  });

  it('respects face_mismatch switched off and the gaze cadence', () => {
    const off = new ModelSchedule(resolvePolicy({ faceMismatch: { enabled: false } }));
    off.setReference(true);
    expect(off.next(0).embedding).toBe(false);
    const gaze = new ModelSchedule(resolvePolicy({ frames: { gazeEveryMs: 1000 } }));
    const runs: boolean[] = [];
    for (let t = 0; t < 3000; t += 500) {
      const options = gaze.next(t);
      runs.push(options.gaze);
      gaze.record(obs(t, [face(200)]), options, null);
    }
    expect(runs).toEqual([true, false, true, false, true, false]);
  });

  it('runs the iris model only while gaze can decide: not with the head turned, not with gaze checks off', () => {
    const schedule = new ModelSchedule(resolvePolicy({ frames: { gazeEveryMs: 1000 } }));
    const turned = { ...face(200), pose: { yaw: 60, pitch: 0, roll: 0 } };
    const stream = [face(200), turned, turned, turned, face(200), face(200)];
    const runs = stream.map((f, i) => {
      const options = schedule.next(i * 500);
      schedule.record(obs(i * 500, [f]), options, null);
      return options.gaze;
    });
    // Frames 2-4 follow a frame with the head turned past maxYawDeg (head pose decides there); the
    // frame after the head comes back runs at once, its cadence having lapsed.
    expect(runs).toEqual([true, false, false, false, false, true]);
    const off = new ModelSchedule(resolvePolicy(undefined, 'no_gaze'));
    expect([0, 1000, 2000].map((t) => off.next(t).gaze)).toEqual([false, false, false]);
  });

  it('names the score the described face must reach (the rules ignore weaker faces)', () => {
    const schedule = new ModelSchedule(resolvePolicy({ minFaceScore: 0.7 }));
    schedule.setReference(true);
    expect(schedule.next(0)).toMatchObject({ embedding: true, minFaceScore: 0.7 });
  });

  it('lets the cadence and the re-checks of a settled mismatch wait while the face looks as described', () => {
    // A still candidate for 12 s, then they move: described at 0; the 5 s cadence waits for the
    // change seen at 12 s and runs on the next frame.
    expect(describedUntilChange(30, 12_000, false)).toEqual([0, 12_500]);
    // Another person, still, from 0 s: the flip is confirmed at 3 s (the rule needs it); then no
    // re-check until the picture of the face changes at 9 s, and every 2 s after that.
    expect(describedUntilChange(24, 9000, true)).toEqual([0, 3000, 9500, 11_500]);
  });
});
