// Decides, frame by frame, which of the optional models the analyser runs. The face-description
// model costs about twice as much as every other model together, and only face_mismatch reads its
// output, so it runs only when there is a reference face to compare with: on the policy's cadence,
// as soon as the faces in view change (someone left, arrived or moved a lot), and sooner while a
// mismatch is being confirmed. The iris (gaze) model follows its own cadence.
import type { AnalyzeOptions } from './analyzer-core';
import type { ProctoringPolicy } from './policy';
import type { FrameObservation } from './types';

/** What the scene looked like in one frame: how many faces and where the largest one was. */
interface SceneKey {
  count: number;
  box: [number, number, number, number] | null;
}

/** Below this overlap with the box at the last description, the primary face counts as new. */
const MIN_SAME_FACE_IOU = 0.4;

export type EmbeddingReason = 'cadence' | 'scene_changed' | 'confirming_mismatch';

export class ModelSchedule {
  private lastGazeMs = -Infinity;
  private lastEmbeddingMs = -Infinity;
  private embeddedScene: SceneKey | null = null;
  private lastScene: SceneKey | null = null;
  private lastMismatch = false;
  private hasReference = false;
  /** Why the description model was asked for, per reason (for status and benchmarks). */
  readonly embeddingRuns: Record<EmbeddingReason, number> = {
    cadence: 0,
    scene_changed: 0,
    confirming_mismatch: 0,
  };

  constructor(private readonly policy: ProctoringPolicy) {}

  /** A new or removed reference face: the next frame with a face is described at once. */
  setReference(present: boolean): void {
    this.hasReference = present;
    this.lastEmbeddingMs = -Infinity;
    this.lastMismatch = false;
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
    if (this.lastMismatch && since >= this.policy.faceMismatch.minDurationMs / 2) {
      return 'confirming_mismatch';
    }
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
      this.lastMismatch = mismatch === true;
    }
    this.lastScene = scene;
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
