// The face analyser in its worker_thread on the real fixtures: faces, boxes, scores, pose, gaze,
// embeddings and image quality; no network; typed errors for bad frames; the bounded frame queue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isVigilError } from '../../../src-main/errors';
import { decodeImage } from '../../../src-main/proctoring/decode-image';
import { faceSimilarity } from '../../../src-main/proctoring/face-similarity';
import { WorkerFaceAnalyzer } from '../../../src-main/proctoring/face-analyzer';
import { judgeFrame } from '../../../src-main/proctoring/frame-conditions';
import { defaultPolicy } from '../../../src-main/proctoring/policy';
import { ProctoringSession } from '../../../src-main/proctoring/session';
import type { FrameObservation, RawFrame, WarningEvent } from '../../../src-main/proctoring/types';
import { composeScene, fixture, noisyVariants, scenes } from '../../support/proctoring/scenes';

const full = { gaze: true, embedding: true };
let analyzer: WorkerFaceAnalyzer;

async function analyse(input: string | Buffer): Promise<FrameObservation> {
  return analyzer.analyze(await decodeImage(input), full);
}

beforeAll(async () => {
  analyzer = await WorkerFaceAnalyzer.start();
});
afterAll(async () => {
  await analyzer?.close();
});

describe('FaceAnalyzer (worker, Human on tfjs wasm, shipped models)', { timeout: 120_000 }, () => {
  it('loads the shipped models on the wasm backend', () => {
    expect(analyzer.versions).toMatchObject({ human: '3.3.6', backend: 'wasm', tfjs: '4.22.0' });
    expect(analyzer.versions.models).toEqual(['blazeface', 'facemesh', 'iris', 'faceres']);
  });

  it('finds the frontal face with box, score, pose, gaze, embedding and image quality', async () => {
    const o = await analyse(fixture('astronaut.jpg'));
    expect(o.faces).toHaveLength(1);
    const face = o.faces[0]!;
    const [x, y, w, h] = face.box;
    // The astronaut's face sits in the upper middle of the 384×384 photo.
    expect(x).toBeGreaterThan(80);
    expect(x + w).toBeLessThan(260);
    expect(y).toBeGreaterThan(10);
    expect(y + h).toBeLessThan(180);
    expect(w).toBeGreaterThan(80);
    expect(face.score).toBeGreaterThan(0.9);
    expect(Math.abs(face.pose.yaw)).toBeLessThan(10);
    expect(Math.abs(face.pose.pitch)).toBeLessThan(20);
    expect(face.gaze?.strength).toBeLessThan(0.3);
    expect(face.embedding).toHaveLength(1024);
    expect(o.quality.brightness).toBeGreaterThan(60);
    expect(o.quality.contrast).toBeGreaterThan(30);
    expect(o.quality.sharpness).toBeGreaterThan(50);
    expect(o.ran).toEqual({ faceModels: true, gaze: true, embedding: true });
  });

  it('gives zero faces for the no-face photos', async () => {
    for (const name of ['coffee.jpg', 'chelsea.jpg']) {
      const o = await analyse(fixture(name));
      expect(o.faces, name).toHaveLength(0);
    }
  });

  it('counts the faces in multi-face composites, describing only the largest', async () => {
    const two = await analyse(await scenes.twoFaces());
    expect(two.faces).toHaveLength(2);
    // face_mismatch reads the largest face only; the description model costs ~120 ms per face.
    expect(two.faces[0]!.embedding).toHaveLength(1024);
    expect(two.faces[1]!.embedding).toBeUndefined();
    expect((await analyse(await scenes.threeFaces())).faces).toHaveLength(3);
    expect((await analyse(await scenes.frontal())).faces).toHaveLength(1);
  });

  it('reads the profile face as looking away and the frontal one as not', async () => {
    const profile = await analyse(fixture('camera.jpg'));
    expect(profile.faces).toHaveLength(1);
    expect(Math.abs(profile.faces[0]!.pose.yaw)).toBeGreaterThan(defaultPolicy.lookingAway.maxYawDeg);
    expect(judgeFrame(defaultPolicy, profile, null).looking_away.holds).toBe(true);
    const frontal = await analyse(await scenes.frontal());
    expect(judgeFrame(defaultPolicy, frontal, null).looking_away.holds).toBe(false);
  });

  it('tells a covered lens by brightness and contrast, skipping the face models', async () => {
    const o = await analyse(await scenes.covered());
    expect(o.faces).toHaveLength(0);
    expect(o.ran.faceModels).toBe(false);
    expect(o.quality.brightness).toBeLessThan(defaultPolicy.cameraBlocked.maxBrightness);
    const j = judgeFrame(defaultPolicy, o, null);
    expect(j.camera_blocked.holds).toBe(true);
    expect(j.no_face.holds).toBe(false);
  });

  it('skips the models while the picture stays as it was when nobody was found, not once it changes', async () => {
    const [empty1, empty2, empty3, empty4] = await Promise.all(
      (await noisyVariants(await scenes.noFace(), 4)).map((png) => decodeImage(png)),
    );
    const candidate = await decodeImage(await scenes.frontal());
    const live = { gaze: false, embedding: false, detectorReuseMs: 1500 };
    const at = (frame: RawFrame, t: number): Promise<FrameObservation> =>
      analyzer.analyze({ ...frame, timestampMs: 100_000 + t }, live);
    const runs = [
      await at(empty1!, 0),
      await at(empty2!, 500),
      await at(empty3!, 1000),
      // The reuse period (1.5 s) is over: the detector looks again.
      await at(empty4!, 1500),
      await at(empty1!, 2000),
      // The candidate sits down within the period: a large change, analysed at once.
      await at(candidate, 2500),
    ];
    expect(runs.map((o) => o.skipped ?? 'models')).toEqual([
      'models',
      'unchanged_empty',
      'unchanged_empty',
      'models',
      'unchanged_empty',
      'models',
    ]);
    expect(runs.map((o) => o.faces.length)).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it('tells whether the largest face still looks as it did when it was described', async () => {
    const [still1, still2] = await Promise.all(
      (await noisyVariants(await scenes.frontal(), 2)).map((png) => decodeImage(png)),
    );
    // The same photo 40 px to the right: the boxes still overlap, the pixels inside them do not.
    const moved = await decodeImage(
      await composeScene([{ file: 'astronaut.jpg', width: 300, left: 210, top: 90 }]),
    );
    const o = { gaze: false, minFaceScore: 0.5 };
    const described = await analyzer.analyze(still1!, { ...o, embedding: true });
    expect(described.faceChangedSinceDescription).toBe(false);
    // Sensor noise alone is no change; a moved face is.
    expect((await analyzer.analyze(still2!, { ...o, embedding: false })).faceChangedSinceDescription).toBe(
      false,
    );
    expect((await analyzer.analyze(moved, { ...o, embedding: false })).faceChangedSinceDescription).toBe(
      true,
    );
    const other = await analyzer.analyze(await decodeImage(await scenes.turnedAway()), {
      ...o,
      embedding: false,
    });
    expect(other.faceChangedSinceDescription).toBe(true);
  });

  it('gives the same person similar embeddings and another person a distant one', async () => {
    const a = (await analyse(fixture('astronaut.jpg'))).faces[0]!.embedding!;
    const scene = (await analyse(await scenes.frontal())).faces[0]!.embedding!;
    const other = (await analyse(fixture('camera.jpg'))).faces[0]!.embedding!;
    const same = faceSimilarity(a, scene);
    const different = faceSimilarity(a, other);
    expect(same).toBeGreaterThan(defaultPolicy.faceMismatch.minSimilarity);
    expect(different).toBeLessThan(defaultPolicy.faceMismatch.minSimilarity);
  });

  it('raises face_mismatch for another person in a live session, with descriptions only as needed', async () => {
    const reference = (await analyse(await scenes.frontal())).faces[0]!.embedding!;
    const candidate = await decodeImage(await scenes.frontal());
    // The other person (the profile photo) sits where the candidate was, so only the face differs.
    const other = await decodeImage(await scenes.turnedAway());
    const empty = await decodeImage(await scenes.noFace());
    const events: WarningEvent[] = [];
    const session = new ProctoringSession({
      policy: defaultPolicy,
      analyzer,
      referenceEmbedding: reference,
      sink: (e) => events.push(e),
    });
    // 0–5 s candidate, 5–6 s empty chair, 6–12 s another person, 12–17 s candidate; 2 fps.
    const at = (t: number): RawFrame => (t < 5000 || t >= 12_000 ? candidate : t < 6000 ? empty : other);
    for (let t = 0; t < 17_000; t += 500) {
      session.submitFrame({ ...at(t), timestampMs: t });
      await session.flush();
    }
    await session.end(17_000);
    const mismatch = events.filter((e) => e.warning.type === 'face_mismatch');
    expect(mismatch.map((e) => e.kind)).toEqual(['raised', 'ended']);
    const w = mismatch[1]!.warning;
    expect(Math.abs(w.startMs - 6000)).toBeLessThanOrEqual(1000);
    // Ends once the candidate is seen again: within the rule's clearAfterMs of their return.
    expect(w.endMs! - 12_000).toBeGreaterThanOrEqual(0);
    expect(w.endMs! - 12_000).toBeLessThanOrEqual(defaultPolicy.faceMismatch.clearAfterMs);
    expect(w.details.similarity as number).toBeLessThan(defaultPolicy.faceMismatch.minSimilarity);
    // 34 frames, yet the description model ran only at the start, when the other person appeared,
    // and to confirm the mismatch and its end.
    const runs = session.modelRuns;
    expect(runs.cadence + runs.scene_changed + runs.confirming).toBeLessThanOrEqual(12);
    expect(runs.scene_changed).toBeGreaterThanOrEqual(1);
  });

  it('refuses malformed frames with a typed error and keeps running', async () => {
    const bad: RawFrame[] = [
      { width: 64, height: 48, channels: 3, data: new Uint8Array(10), timestampMs: 0 },
      { width: 0, height: 0, channels: 3, data: new Uint8Array(0), timestampMs: 0 },
      { width: 8, height: 8, channels: 3, data: new Uint8Array(192), timestampMs: 0 },
    ];
    for (const frame of bad) {
      const error = await analyzer.analyze(frame, full).catch((e: unknown) => e);
      expect(isVigilError(error) && error.code).toBe('BAD_REQUEST');
    }
    const notImage = await decodeImage(new TextEncoder().encode('definitely not an image')).catch(
      (e: unknown) => e,
    );
    // Bytes that are no image are an unusable upload (decoded in the parser worker), not a bad frame.
    expect(isVigilError(notImage) && notImage.code).toBe('INVALID_DOCUMENT');
    const empty = await decodeImage(new Uint8Array(0)).catch((e: unknown) => e);
    expect(isVigilError(empty) && empty.code).toBe('INVALID_DOCUMENT');
    // Still alive and correct after the refusals.
    expect((await analyse(fixture('astronaut.jpg'))).faces).toHaveLength(1);
  });

  it('keeps the frame queue bounded, drops the oldest, counts drops and lowers the rate', async () => {
    const frame = await decodeImage(fixture('coffee.jpg'));
    const warnings: string[] = [];
    const session = new ProctoringSession({
      policy: defaultPolicy,
      analyzer,
      sink: (e) => warnings.push(e.warning.type),
    });
    const bad = { ...frame, data: new Uint8Array(3) };
    expect(() => session.submitFrame(bad)).toThrow(/bytes/);
    for (let i = 0; i < 20; i++) session.submitFrame({ ...frame, timestampMs: i * 500 });
    const before = session.status();
    expect(before.received).toBe(20);
    expect(before.queued).toBeLessThanOrEqual(defaultPolicy.frames.queueSize);
    // The first frame left the queue for the worker at once; the rest overflowed the queue of 4.
    expect(before.dropped).toBe(20 - 1 - defaultPolicy.frames.queueSize);
    expect(before.recommendedFps).toBeLessThan(defaultPolicy.frames.fps);
    await session.flush();
    const after = session.status();
    expect(after.analysed).toBe(1 + defaultPolicy.frames.queueSize);
    expect(after.analysed + after.dropped).toBe(20);
    await session.end();
  });

  it('made no network request, and the tripwire would have caught one', async () => {
    const clean = await analyzer.stats();
    expect(clean.networkAttempts).toEqual([]);
    expect(clean.framesAnalysed).toBeGreaterThan(10);
    const probe = await analyzer.probeNetwork('https://example.com/model.json');
    expect(probe.blocked).toBe(true);
    const after = await analyzer.stats();
    expect(after.networkAttempts).toEqual([{ via: 'fetch', target: 'https://example.com/model.json' }]);
  });
});
