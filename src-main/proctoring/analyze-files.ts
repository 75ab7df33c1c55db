// Offline analysis of image and video files (the `vigil analyze` command): faces with boxes, scores
// and head pose for images; for videos, the same frame flow and rules a live session runs, so the
// warnings printed are the ones a proctor would have seen.
import { access } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { isVigilError } from '../errors';
import { decodeImage } from './decode-image';
import type { FaceAnalyzer } from './face-analyzer';
import { resolvePolicy, type ProctoringPolicy } from './policy';
import { ProctoringSession } from './session';
import type { FaceObservation, ProctoringWarning, WarningSink } from './types';
import { videoFrames } from './video-frames';

export interface Detection {
  box: [number, number, number, number];
  score: number;
  yaw: number;
  pitch: number;
  roll: number;
}

export interface FileAnalysis {
  file: string;
  /** Faces found (images only). */
  faces?: number;
  /** For a video: the detections of every sampled frame, in time order (frame i at i/fps s). */
  detections: Detection[];
  warnings: { type: string; start_s: number; end_s: number; confidence: number }[];
  /** Present only when the file could not be analysed. */
  error?: string;
  /** Not part of the JSON output: extra facts for the text output. */
  meta?: { kind: 'image' | 'video'; frames?: number; fps?: number; width: number; height: number };
}

const toDetection = (face: FaceObservation): Detection => ({
  box: face.box,
  score: face.score,
  yaw: face.pose.yaw,
  pitch: face.pose.pitch,
  roll: face.pose.roll,
});

async function isImage(file: string): Promise<boolean> {
  try {
    const meta = await sharp(file).metadata();
    return Boolean(meta.width && meta.height);
  } catch {
    return false;
  }
}

export async function analyzeFile(
  analyzer: FaceAnalyzer,
  file: string,
  options: { fps?: number; policy?: ProctoringPolicy; sink?: WarningSink } = {},
): Promise<FileAnalysis> {
  const name = path.normalize(file);
  try {
    try {
      await access(file);
    } catch {
      return { file: name, detections: [], warnings: [], error: `file not found: ${name}` };
    }
    if (await isImage(file)) {
      const frame = await decodeImage(file, { maxSide: 1280 });
      const observation = await analyzer.analyze(frame, { gaze: true, embedding: false });
      const policy = options.policy ?? resolvePolicy();
      const faces = observation.faces.filter((face) => face.score >= policy.minFaceScore);
      return {
        file: name,
        faces: faces.length,
        detections: faces.map(toDetection),
        warnings: [],
        meta: { kind: 'image', width: frame.width, height: frame.height },
      };
    }
    const fps = options.fps ?? 2;
    const policy = options.policy ?? resolvePolicy(undefined, undefined);
    const detections: Detection[] = [];
    const collected: ProctoringWarning[] = [];
    const session = new ProctoringSession({
      policy,
      analyzer,
      sink: options.sink ?? (() => undefined),
      onObservation: (observation) =>
        detections.push(...observation.faces.filter((f) => f.score >= policy.minFaceScore).map(toDetection)),
    });
    let frames = 0;
    let size = { width: 0, height: 0 };
    let lastMs = 0;
    for await (const frame of videoFrames(file, { fps })) {
      size = { width: frame.width, height: frame.height };
      lastMs = frame.timestampMs;
      session.submitFrame(frame);
      // Offline: wait for each frame so none is dropped.
      await session.flush();
      frames++;
    }
    collected.push(...(await session.end(lastMs + 1000 / fps)));
    return {
      file: name,
      detections,
      warnings: collected.map((w) => ({
        type: w.type,
        start_s: w.startMs / 1000,
        end_s: (w.endMs ?? lastMs) / 1000,
        confidence: w.confidence,
      })),
      meta: { kind: 'video', frames, fps, ...size },
    };
  } catch (error) {
    return {
      file: name,
      detections: [],
      warnings: [],
      error: isVigilError(error) ? error.message : `could not analyse: ${(error as Error).message}`,
    };
  }
}
