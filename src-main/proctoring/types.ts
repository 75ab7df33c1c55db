// Shared vocabulary of the proctoring engine: what one analysed frame says (observations), what the
// rules raise (warnings). The store, the report and the proctor console import these types so every
// part speaks about the same facts; the risk explanation is src-preload/risk-explanation.ts.

/** A decoded camera frame: tightly packed 8-bit pixels, row-major. */
export interface RawFrame {
  width: number;
  height: number;
  /** 3 = RGB, 4 = RGBA. */
  channels: 3 | 4;
  data: Uint8Array;
  /** Capture time in milliseconds on the session clock (0 = session start). */
  timestampMs: number;
  /**
   * The encoded image exactly as the renderer captured it, when the frame came from one. A warning
   * raised on this frame keeps these bytes as its snapshot: evidence is what the camera gave, never
   * a re-encode of the decoded pixels.
   */
  jpeg?: Uint8Array;
}

export interface HeadPose {
  /** Degrees; positive yaw = head turned to the candidate's left, as reported by the face mesh. */
  yaw: number;
  pitch: number;
  roll: number;
}

export interface Gaze {
  /** Direction of the irises relative to the eye centre, radians (0 = right, π/2 = up). */
  bearing: number;
  /** 0 = looking straight ahead; about 0.3 and above = eyes clearly turned aside. */
  strength: number;
}

export interface FaceObservation {
  /** Pixels in the analysed frame: [x, y, width, height]. */
  box: [number, number, number, number];
  /** Combined detector/mesh confidence, 0–1. */
  score: number;
  pose: HeadPose;
  /** Present when the iris model ran for this frame. */
  gaze?: Gaze;
  /** 1024-d face description vector; present when the description model ran for this frame. */
  embedding?: number[];
}

export interface ImageQuality {
  /** Mean luma, 0–255. */
  brightness: number;
  /** Standard deviation of luma, 0–255: near 0 for a covered lens. */
  contrast: number;
  /** Variance of the Laplacian of luma: low = blurred or featureless. */
  sharpness: number;
}

export interface ModelVersions {
  detector: string;
  human: string;
  tfjs: string;
  backend: string;
  models: string[];
}

/** Everything the analyser says about one frame. Faces are sorted by area, largest first. */
export interface FrameObservation {
  timestampMs: number;
  width: number;
  height: number;
  faces: FaceObservation[];
  quality: ImageQuality;
  /** Wall time the analysis took inside the worker. */
  analysisMs: number;
  /** Which models ran: none for a featureless frame; gaze and embedding run on a cadence. */
  ran: { faceModels: boolean; gaze: boolean; embedding: boolean };
  /**
   * Why the face models did not run: a featureless picture (covered lens), or the same picture as
   * when the detector last found nobody (within the detector reuse time).
   */
  skipped?: 'featureless' | 'unchanged_empty';
  /**
   * Whether the picture inside the largest face's box differs (by more than sensor noise and small
   * movements) from the frame where a face was last described; absent when there is no such face
   * or nothing was described yet. An unchanged face is the same face, whoever it is.
   */
  faceChangedSinceDescription?: boolean;
}

// The type lists are the shared vocabulary (lockdown violations come in through the same sink).
export { warningTypes, type WarningType, type Severity } from '../../src-preload/vocabulary';
import type { Severity, WarningType } from '../../src-preload/vocabulary';

/** A warning as the engine raises it. `endMs` is null while the condition is still going on. */
export interface ProctoringWarning {
  /** Unique within the session (type + sequence), stable between `raised` and `ended`. */
  id: string;
  type: WarningType;
  severity: Severity;
  startMs: number;
  endMs: number | null;
  /** 0–1: how sure the detector was across the frames that made up the warning. */
  confidence: number;
  detector: string;
  modelVersions: Partial<ModelVersions>;
  /** The thresholds and durations in force when the warning was raised. */
  thresholds: Record<string, number | boolean | string>;
  /** Facts that explain the warning (e.g. face count, yaw, similarity, frames seen). */
  details: Record<string, unknown>;
  /** JPEG of the frame that raised it (absent for non-visual warnings such as mic_lost). */
  snapshot?: { jpeg: Uint8Array; width: number; height: number; timestampMs: number };
}

export type WarningEvent =
  { kind: 'raised'; warning: ProctoringWarning } | { kind: 'ended'; warning: ProctoringWarning };

/** Where warnings leave the engine (the store implements it; tests collect into an array). */
export interface WarningSink {
  (event: WarningEvent): void;
}

/** One audio measurement from the renderer (for example every 100 ms). */
export interface AudioFrame {
  timestampMs: number;
  /** RMS level in dBFS (≤ 0); -Infinity or below -100 for silence. */
  levelDb: number;
  /** Voice-activity probability 0–1 computed by the renderer. */
  voiceProbability: number;
  /** False when the microphone track ended or delivers nothing. */
  trackLive: boolean;
}

export type IdDecision = 'verified' | 'needs_review' | 'rejected';

export interface IdFields {
  name?: string;
  documentNumber?: string;
  dateOfBirth?: string;
  expiry?: string;
  nationality?: string;
}

export interface IdVerificationResult {
  decision: IdDecision;
  reasons: string[];
  fields: IdFields;
  mrz: { present: boolean; valid: boolean; checks: Record<string, boolean> } | null;
  ocr: { confidence: number; text: string };
  face: { cardFaces: number; liveFaces: number; similarity: number | null };
  thresholds: Record<string, number>;
}
