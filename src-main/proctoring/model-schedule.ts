// Decides, frame by frame, which of the optional models the analyser runs. The face-description
// model costs about six times as much as every other model together, and only face_mismatch reads
// its output, so it runs only when there is a reference face to compare with: on the policy's
// cadence, as soon as the faces in view change (someone left, arrived or moved a lot), once more
// when its verdict flips, at the moment the rule could act on the flip (so face_mismatch starts and
// ends within the rule's own timing), and regularly while someone else is in front of the camera
// (so the warning ends as soon as the candidate is back). The iris (gaze) model follows its own
// cadence, and only while gaze can decide looking_away (gaze checks on, head not already turned
// past the pose limits); between its runs the last gaze reading stands for the same face.
import type { AnalyzeOptions } from './analyzer-core';
import type { ProctoringPolicy } from './policy';
import type { FrameObservation, Gaze } from './types';

/** What the scene looked like in one frame: how many faces and where the largest one was. */
interface SceneKey {
  count: number;
  box: [number, number, number, number] | null;
}

/** Below this overlap with the box at the last description, the primary face counts as new. */
const MIN_SAME_FACE_IOU = 0.4;

/**
 * Descriptions in a row with the new verdict before it counts as settled: the flip and one
 * confirmation at the rule's own duration, the fewest that can start (or end) face_mismatch.
 */
const SETTLE_AFTER = 2;

export type EmbeddingReason = 'cadence' | 'scene_changed' | 'confirming';

export class ModelSchedule {
  private lastGazeMs = -Infinity;
  private lastEmbeddingMs = -Infinity;
  private embeddedScene: SceneKey | null = null;
  private lastScene: SceneKey | null = null;
  /** The verdict (mismatch or not) the descriptions agree on, and how many since it last differed. */
  private settled = false;
  private unsettledRun = 0;
  private hasReference = false;
  /** The largest face on the last frame was turned past the pose limits (gaze cannot decide). */
  private headTurned = false;
  /** The last frame's largest face looked as it did when it was described (same face). */
  private faceUnchanged = false;
  private lastGaze: { box: [number, number, number, number]; gaze: Gaze; atMs: number } | null = null;
  /** Why the description model was asked for, per reason (for status and benchmarks). */
  readonly embeddingRuns: Record<EmbeddingReason, number> = {
    cadence: 0,
    scene_changed: 0,
    confirming: 0,
  };

  constructor(private readonly policy: ProctoringPolicy) {}

  /** A new or removed reference face: the next frame with a face is described at once. */
  setReference(present: boolean): void {
    this.hasReference = present;
    this.lastEmbeddingMs = -Infinity;
    this.settled = false;
    this.unsettledRun = 0;
  }

  /** Options for the frame captured at `timestampMs`. */
  next(timestampMs: number): AnalyzeOptions {
    const { frames, lookingAway } = this.policy;
    const gazeDue = timestampMs < this.lastGazeMs || timestampMs - this.lastGazeMs >= frames.gazeEveryMs;
    const gazeUseful = lookingAway.enabled && lookingAway.gazeEnabled && !this.headTurned;
    return {
      gaze: gazeDue && gazeUseful,
      embedding: this.embeddingReason(timestampMs) !== null,
      minFaceScore: this.policy.minFaceScore,
      detectorReuseMs: frames.detectorReuseMs,
    };
  }

  private embeddingReason(timestampMs: number): EmbeddingReason | null {
    if (!this.hasReference || !this.policy.faceMismatch.enabled) return null;
    const since = timestampMs - this.lastEmbeddingMs;
    if (since < 0 || this.lastEmbeddingMs === -Infinity) return 'cadence';
    // The cadence and the re-checks of a settled mismatch look for a face that is no longer the one
    // described; a face whose picture has not changed since is that face, so they wait for a change.
    if (since >= this.policy.frames.embeddingEveryMs && !this.faceUnchanged) return 'cadence';
    // A flipped verdict is re-checked once, when the rule could start (or end) the warning on it; a
    // settled mismatch (someone else in view) as often as the rule needs to end.
    const { minDurationMs, clearAfterMs } = this.policy.faceMismatch;
    if (this.unsettledRun > 0) {
      if (since >= (this.settled ? clearAfterMs : minDurationMs)) return 'confirming';
    } else if (this.settled && since >= clearAfterMs && !this.faceUnchanged) return 'confirming';
    if (this.lastScene && this.embeddedScene && sceneChanged(this.lastScene, this.embeddedScene)) {
      return 'scene_changed';
    }
    return null;
  }

  /** Records what the frame showed; `mismatch` is the face_mismatch judgement for this frame. */
  record(observation: FrameObservation, options: AnalyzeOptions, mismatch: boolean | null): void {
    // Why this frame was described, judged on the state it was scheduled from.
    const reason = options.embedding ? this.embeddingReason(observation.timestampMs) : null;
    const scene = sceneOf(observation, this.policy.minFaceScore);
    if (options.gaze && observation.ran.faceModels) this.lastGazeMs = observation.timestampMs;
    this.headTurned = isHeadTurned(observation, this.policy);
    this.faceUnchanged = observation.faceChangedSinceDescription === false;
    if (options.embedding && scene.count > 0) {
      if (reason) this.embeddingRuns[reason]++;
      this.lastEmbeddingMs = observation.timestampMs;
      this.embeddedScene = scene;
      if (mismatch !== null) this.recordVerdict(mismatch);
    }
    this.lastScene = scene;
  }

  /**
   * On a frame where the iris model did not run, the largest face keeps the gaze read on the
   * previous iris frame if it is the same face (boxes overlap) and that reading is younger than the
   * gaze cadence allows; the observation is changed in place and returned.
   */
  carryGaze(observation: FrameObservation, options: AnalyzeOptions): FrameObservation {
    const primary = observation.faces[0];
    if (options.gaze) {
      this.lastGaze = primary?.gaze
        ? { box: primary.box, gaze: primary.gaze, atMs: observation.timestampMs }
        : null;
      return observation;
    }
    const last = this.lastGaze;
    if (
      primary &&
      !primary.gaze &&
      last &&
      observation.timestampMs - last.atMs <= this.policy.frames.gazeEveryMs &&
      iou(primary.box, last.box) >= MIN_SAME_FACE_IOU
    ) {
      primary.gaze = last.gaze;
    }
    return observation;
  }

  private recordVerdict(mismatch: boolean): void {
    if (mismatch === this.settled) {
      this.unsettledRun = 0;
      return;
    }
    this.unsettledRun++;
    if (this.unsettledRun >= SETTLE_AFTER) {
      this.settled = mismatch;
      this.unsettledRun = 0;
    }
  }
}

function isHeadTurned(observation: FrameObservation, policy: ProctoringPolicy): boolean {
  const primary = observation.faces.find((face) => face.score >= policy.minFaceScore);
  if (!primary) return false;
  const { maxYawDeg, maxPitchDeg } = policy.lookingAway;
  return Math.abs(primary.pose.yaw) > maxYawDeg || Math.abs(primary.pose.pitch) > maxPitchDeg;
}

function sceneOf(observation: FrameObservation, minScore: number): SceneKey {
  const faces = observation.faces.filter((face) => face.score >= minScore);
  return { count: faces.length, box: faces[0]?.box ?? null };
}

function sceneChanged(a: SceneKey, b: SceneKey): boolean {
  if (a.count !== b.count) return true;
  if (!a.box || !b.box) return false;
  return iou(a.box, b.box) < MIN_SAME_FACE_IOU;
}

function iou(a: readonly number[], b: readonly number[]): number {
  const [ax, ay, aw, ah] = a as [number, number, number, number];
  const [bx, by, bw, bh] = b as [number, number, number, number];
  const w = Math.max(0, Math.min(ax + aw, bx + bw) - Math.max(ax, bx));
  const h = Math.max(0, Math.min(ay + ah, by + bh) - Math.max(ay, by));
  const inter = w * h;
  const union = aw * ah + bw * bh - inter;
  return union > 0 ? inter / union : 0;
}
