// Per-frame judgements for the visual rules: does this one frame show no face, several faces, a
// candidate looking away, another person, or a covered camera? Pure, so the rules are testable
// without models. A frame alone never raises a warning; the hysteresis trackers decide that.
import { faceSimilarity } from './face-similarity';
import type { ProctoringPolicy } from './policy';
import type { FrameObservation } from './types';

import type { VisualWarningType } from '../../src-preload/vocabulary';

export type VisualType = VisualWarningType;
export const visualTypes: VisualType[] = [
  'camera_blocked',
  'no_face',
  'multiple_faces',
  'looking_away',
  'face_mismatch',
];

export interface Judgement {
  /** null = this frame cannot tell (keeps the tracker's state). */
  holds: boolean | null;
  confidence: number;
  details: Record<string, unknown>;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
const r2 = (v: number): number => Math.round(v * 100) / 100;

export function judgeFrame(
  policy: ProctoringPolicy,
  observation: FrameObservation,
  reference: readonly number[] | null,
): Record<VisualType, Judgement> {
  const { quality } = observation;
  const faces = observation.faces.filter((face) => face.score >= policy.minFaceScore);
  const weak = observation.faces.filter((face) => face.score < policy.minFaceScore);
  const primary = faces[0];

  // Covered or dark lens: too dark, or almost no variation in the picture.
  const cb = policy.cameraBlocked;
  const dark = quality.brightness <= cb.maxBrightness;
  const flat = quality.contrast <= cb.minContrast;
  const blocked = (dark || flat) && faces.length === 0;
  const blockedConfidence = clamp(
    Math.max(
      dark ? 1 - quality.brightness / Math.max(1, cb.maxBrightness) / 2 : 0,
      flat ? 1 - quality.contrast / Math.max(1, cb.minContrast) / 2 : 0,
    ),
    0.5,
    0.99,
  );

  const noFace = faces.length === 0 && !blocked;
  const strongestWeak = weak.reduce((max, face) => Math.max(max, face.score), 0);

  let away: Judgement = { holds: false, confidence: 0, details: {} };
  if (primary) {
    const la = policy.lookingAway;
    const yaw = Math.abs(primary.pose.yaw);
    const pitch = Math.abs(primary.pose.pitch);
    const gazeOff = la.gazeEnabled && primary.gaze ? primary.gaze.strength > la.maxGazeStrength : false;
    const headOff = yaw > la.maxYawDeg || pitch > la.maxPitchDeg;
    const excess = Math.max(yaw / la.maxYawDeg, pitch / la.maxPitchDeg) - 1;
    away = {
      holds: headOff || gazeOff,
      confidence: r2(primary.score * clamp(0.6 + excess, 0.5, 1)),
      details: {
        yaw: primary.pose.yaw,
        pitch: primary.pose.pitch,
        gazeStrength: primary.gaze?.strength ?? null,
        by: headOff ? 'head_pose' : gazeOff ? 'gaze' : null,
      },
    };
  }

  let mismatch: Judgement = { holds: null, confidence: 0, details: {} };
  if (reference && primary?.embedding) {
    const similarity = faceSimilarity(reference, primary.embedding);
    const min = policy.faceMismatch.minSimilarity;
    mismatch = {
      holds: similarity < min,
      confidence: r2(clamp(0.5 + (min - similarity), 0.5, 0.99)),
      details: { similarity },
    };
  }

  return {
    camera_blocked: {
      holds: blocked,
      confidence: r2(blockedConfidence),
      details: { brightness: quality.brightness, contrast: quality.contrast, sharpness: quality.sharpness },
    },
    no_face: {
      holds: noFace,
      confidence: r2(clamp(1 - strongestWeak, 0.5, 0.99)),
      details: { facesBelowThreshold: weak.length, brightness: quality.brightness },
    },
    multiple_faces: {
      holds: faces.length >= 2,
      confidence: r2(faces[1]?.score ?? 0),
      details: { faces: faces.length, scores: faces.map((face) => face.score) },
    },
    looking_away: away,
    face_mismatch: mismatch,
  };
}
