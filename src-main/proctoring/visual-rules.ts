// Visual warning rules: per-frame judgements (frame-conditions) fed through one hysteresis tracker
// per warning type. Raised warnings carry the thresholds in force and a snapshot of the frame.
import { judgeFrame, visualTypes, type Judgement, type VisualType } from './frame-conditions';
import { HysteresisTracker } from './hysteresis';
import type { ProctoringPolicy } from './policy';
import type { FrameObservation, RawFrame } from './types';
import type { WarningEmitter } from './warning-emitter';

type Section = 'noFace' | 'multipleFaces' | 'lookingAway' | 'faceMismatch' | 'cameraBlocked';
const sectionOf: Record<VisualType, Section> = {
  no_face: 'noFace',
  multiple_faces: 'multipleFaces',
  looking_away: 'lookingAway',
  face_mismatch: 'faceMismatch',
  camera_blocked: 'cameraBlocked',
};

export class VisualRules {
  private readonly trackers = new Map<VisualType, HysteresisTracker>();
  private reference: number[] | null = null;
  private lastMs = 0;

  constructor(
    private readonly policy: ProctoringPolicy,
    private readonly emitter: WarningEmitter,
  ) {
    for (const type of visualTypes) {
      const section = policy[sectionOf[type]];
      if (!section.enabled) continue;
      this.trackers.set(
        type,
        new HysteresisTracker({
          minDurationMs: section.minDurationMs,
          clearAfterMs: section.clearAfterMs,
          minFrames: policy.minFrames,
        }),
      );
    }
  }

  /** The verified candidate's face embedding (from ID verification or enrolment). */
  setReferenceEmbedding(embedding: number[] | null): void {
    this.reference = embedding;
  }

  private thresholds(type: VisualType): Record<string, number | boolean | string> {
    const { enabled: _enabled, severity: _severity, ...rest } = this.policy[sectionOf[type]];
    return { ...rest, minFrames: this.policy.minFrames, minFaceScore: this.policy.minFaceScore };
  }

  private detector(type: VisualType): string {
    const human = this.emitter.modelVersions.human ?? '?';
    if (type === 'camera_blocked') return 'image-statistics (luma mean/stddev)';
    if (type === 'face_mismatch') return `human-${human} faceres embedding, cosine similarity`;
    if (type === 'looking_away') return `human-${human} facemesh head pose + iris gaze`;
    return `human-${human} blazeface + facemesh`;
  }

  /** Feeds one frame through every tracker; returns the frame's judgements. */
  observe(observation: FrameObservation, frame?: RawFrame): Record<VisualType, Judgement> {
    this.lastMs = observation.timestampMs;
    const judged = judgeFrame(this.policy, observation, this.reference);
    for (const [type, tracker] of this.trackers) {
      const j = judged[type];
      const transition = tracker.update(observation.timestampMs, j.holds, j.confidence);
      if (!transition) continue;
      if (transition.kind === 'raised') {
        this.emitter.raise(type, {
          type,
          startMs: transition.startMs,
          confidence: transition.confidence,
          detector: this.detector(type),
          thresholds: this.thresholds(type),
          details: { ...j.details, framesAtRaise: transition.frames, raisedAtMs: transition.atMs },
          ...(frame ? { frame } : {}),
        });
      } else {
        this.emitter.end(type, transition.endMs, transition.confidence, { frames: transition.frames });
      }
    }
    return judged;
  }

  /** Ends every active warning (session end or analysis stop). */
  finish(atMs = this.lastMs): void {
    for (const [type, tracker] of this.trackers) {
      const transition = tracker.flush(atMs);
      if (transition?.kind === 'ended') {
        this.emitter.end(type, transition.endMs, transition.confidence, { frames: transition.frames });
      }
    }
  }
}
