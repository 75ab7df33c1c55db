// Per-frame judgements on hand-written observations, and the accommodation profiles that change them.
import { describe, expect, it } from 'vitest';
import { judgeFrame } from '../../../src-main/proctoring/frame-conditions';
import { defaultPolicy, resolvePolicy } from '../../../src-main/proctoring/policy';
import type { FaceObservation, FrameObservation } from '../../../src-main/proctoring/types';

const face = (over: Partial<FaceObservation> = {}): FaceObservation => ({
  box: [100, 100, 120, 120],
  score: 0.95,
  pose: { yaw: 2, pitch: 5, roll: 1 },
  gaze: { bearing: 0, strength: 0.05 },
  ...over,
});
const obs = (
  faces: FaceObservation[],
  quality = { brightness: 110, contrast: 55, sharpness: 900 },
): FrameObservation => ({
  timestampMs: 0,
  width: 640,
  height: 480,
  faces,
  quality,
  analysisMs: 10,
  ran: { faceModels: true, gaze: true, embedding: false },
});

describe('judgeFrame', () => {
  it('a clear frontal face holds nothing', () => {
    const j = judgeFrame(defaultPolicy, obs([face()]), null);
    expect(Object.values(j).map((x) => x.holds)).toEqual([false, false, false, false, null]);
  });

  it('no face; weak detections below minFaceScore do not count as faces', () => {
    const j = judgeFrame(defaultPolicy, obs([face({ score: 0.3 })]), null);
    expect(j.no_face.holds).toBe(true);
    expect(j.no_face.confidence).toBeCloseTo(0.7);
  });

  it('a dark or flat picture is camera_blocked, not no_face', () => {
    const dark = judgeFrame(defaultPolicy, obs([], { brightness: 8, contrast: 1, sharpness: 2 }), null);
    expect(dark.camera_blocked.holds).toBe(true);
    expect(dark.no_face.holds).toBe(false);
  });

  it('two faces are multiple_faces with the second face as confidence', () => {
    const j = judgeFrame(defaultPolicy, obs([face(), face({ score: 0.8 })]), null);
    expect(j.multiple_faces).toMatchObject({ holds: true, confidence: 0.8, details: { faces: 2 } });
  });

  it('head turned past maxYaw, or eyes aside past maxGazeStrength, is looking_away', () => {
    expect(
      judgeFrame(defaultPolicy, obs([face({ pose: { yaw: -35, pitch: 5, roll: 0 } })]), null).looking_away,
    ).toMatchObject({ holds: true, details: { by: 'head_pose' } });
    expect(
      judgeFrame(defaultPolicy, obs([face({ gaze: { bearing: 0, strength: 0.6 } })]), null).looking_away,
    ).toMatchObject({
      holds: true,
      details: { by: 'gaze' },
    });
  });

  it('the no_gaze profile switches gaze off; extended_tolerance widens the head-pose limit', () => {
    const aside = obs([face({ gaze: { bearing: 0, strength: 0.6 } })]);
    const noGaze = resolvePolicy(undefined, 'no_gaze');
    expect(noGaze.lookingAway.enabled).toBe(false);
    expect(judgeFrame(noGaze, aside, null).looking_away.holds).toBe(false);
    const turned = obs([face({ pose: { yaw: 35, pitch: 0, roll: 0 }, gaze: undefined })]);
    expect(judgeFrame(resolvePolicy(undefined, 'extended_tolerance'), turned, null).looking_away.holds).toBe(
      false,
    );
  });

  it('face_mismatch compares the embedding with the reference, and cannot tell without one', () => {
    const ref = [1, 0, 0, 0];
    expect(
      judgeFrame(defaultPolicy, obs([face({ embedding: [0.9, 0.1, 0, 0] })]), ref).face_mismatch.holds,
    ).toBe(false);
    expect(
      judgeFrame(defaultPolicy, obs([face({ embedding: [0, 1, 0, 0] })]), ref).face_mismatch,
    ).toMatchObject({
      holds: true,
      details: { similarity: 0 },
    });
    expect(judgeFrame(defaultPolicy, obs([face()]), ref).face_mismatch.holds).toBeNull();
  });
});

describe('resolvePolicy', () => {
  it('layers defaults < exam < accommodation and validates the result', () => {
    const p = resolvePolicy({ noFace: { minDurationMs: 4000 } }, { noFace: { clearAfterMs: 3000 } });
    expect(p.noFace).toMatchObject({ minDurationMs: 4000, clearAfterMs: 3000, enabled: true });
    expect(() => resolvePolicy(undefined, 'nonexistent')).toThrow(/Unknown accommodation profile/);
    expect(() => resolvePolicy({ minFrames: 1 })).toThrow(/policy is invalid/);
  });
});
