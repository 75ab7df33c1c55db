// Decides, frame by frame, which of the optional models the analyser runs. The face-description
// model costs about twice as much as every other model together, and only face_mismatch reads its
// output, so it runs only when there is a reference face to compare with: on the policy's cadence,
// as soon as the faces in view change (someone left, arrived or moved a lot), a few times in quick
// succession when its verdict flips (so face_mismatch starts within the rule's own timing), and
// often while someone else is in front of the camera (so the warning ends as soon as the candidate
// is back). Otherwise it falls back to the cadence. The iris (gaze) model follows its own cadence;
// between its runs the last gaze reading stands for the same face (see carryGaze).
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

/** Descriptions in a row with the new verdict before it counts as settled (stops quick re-checks). */
const SETTLE_AFTER = 3;

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
    const { frames } = this.policy;
    const gaze = timestampMs < this.lastGazeMs || timestampMs - this.lastGazeMs >= frames.gazeEveryMs;
    return {
      gaze,
      embedding: this.embeddingReason(timestampMs) !== null,
      detectorReuseMs: frames.detectorReuseMs,
    };
  }

  private embeddingReason(timestampMs: number): EmbeddingReason | null {
    if (!this.hasReference || !this.policy.faceMismatch.enabled) return null;
    const since = timestampMs - this.lastEmbeddingMs;
    if (since < 0 || since >= this.policy.frames.embeddingEveryMs) return 'cadence';
    // A flipped verdict is re-checked within half the time the rule needs to start (or to end); a
    // settled mismatch (someone else in view) as often as the rule needs to end.
    const { minDurationMs, clearAfterMs } = this.policy.faceMismatch;
    const confirmEveryMs =
      this.unsettledRun > 0 ? (this.settled ? clearAfterMs : minDurationMs) / 2 : clearAfterMs;
    if ((this.unsettledRun > 0 || this.settled) && since >= confirmEveryMs) return 'confirming';
    if (this.lastScene && this.embeddedScene && sceneChanged(this.lastScene, this.embeddedScene)) {
      return 'scene_changed';
    }
    return null;
  }

  /** Records what the frame showed; `mismatch` is the face_mismatch judgement for this frame. */
  record(observation: FrameObservation, options: AnalyzeOptions, mismatch: boolean | null): void {
    const scene = sceneOf(observation, this.policy.minFaceScore);
    if (options.gaze) this.lastGazeMs = observation.timestampMs;
    if (options.embedding && scene.count > 0) {
      const reason = this.embeddingReason(observation.timestampMs);
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
