// Tensor and memory counts stay flat over 10,000 frames through the worker. Most frames are small
// covered-lens frames (the featureless fast path, which still crosses the worker and the rules);
// every 400th is a full 640×480 scene through every model, so a per-frame tensor leak in the model
// path would show up as growth too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../../src-main/proctoring/decode-image';
import { WorkerFaceAnalyzer } from '../../../src-main/proctoring/face-analyzer';
import { resolvePolicy } from '../../../src-main/proctoring/policy';
import { ProctoringSession } from '../../../src-main/proctoring/session';
import type { RawFrame } from '../../../src-main/proctoring/types';
import { scenes } from '../../support/proctoring/scenes';

let analyzer: WorkerFaceAnalyzer;

beforeAll(async () => {
  analyzer = await WorkerFaceAnalyzer.start();
});
afterAll(async () => {
  await analyzer?.close();
});

describe('memory over 10,000 frames', () => {
  it('keeps the tensor count and bytes flat', { timeout: 300_000 }, async () => {
    const scenesFull = [
      await decodeImage(await scenes.frontal()),
      await decodeImage(await scenes.twoFaces()),
      await decodeImage(await scenes.turnedAway()),
    ];
    const covered: RawFrame = {
      width: 64,
      height: 48,
      channels: 3,
      data: new Uint8Array(64 * 48 * 3).fill(9),
      timestampMs: 0,
    };
    // Embeddings and gaze on every full frame: the costliest path. The description model only runs
    // with a reference face to compare against, so the session gets one.
    const policy = resolvePolicy({ frames: { embeddingEveryMs: 0, gazeEveryMs: 0 } });
    const referenceEmbedding = new Array<number>(1024).fill(0.03);
    const session = new ProctoringSession({ policy, analyzer, sink: () => undefined, referenceEmbedding });
    const samples: { frame: number; numTensors: number; numBytes: number; heap: number }[] = [];
    for (let i = 0; i < 10_000; i++) {
      const full = i % 400 === 0;
      const base = full ? scenesFull[(i / 400) % 3]! : covered;
      session.submitFrame({ ...base, timestampMs: i * 500 });
      // Five at a time: one in the worker and four in the queue, so nothing is dropped.
      if (i % 5 === 4) await session.flush();
      if (i % 1000 === 999) {
        const s = await analyzer.stats();
        samples.push({ frame: i + 1, numTensors: s.numTensors, numBytes: s.numBytes, heap: s.heapUsedBytes });
      }
    }
    const status = session.status();
    expect(status).toMatchObject({ analysed: 10_000, dropped: 0, failed: 0 });
    // The description model really ran on the full frames (25 of them, nearly all with a face).
    expect(session.modelRuns.cadence).toBeGreaterThan(15);
    await session.end();
    const first = samples[0]!;
    for (const s of samples) {
      expect(s.numTensors, `frame ${s.frame}`).toBe(first.numTensors);
      expect(s.numBytes, `frame ${s.frame}`).toBe(first.numBytes);
    }
    // The JS heap may breathe with GC, but must not climb with the frame count.
    const last = samples[samples.length - 1]!;
    expect(last.heap - first.heap).toBeLessThan(32 * 1024 * 1024);
    console.log('memory samples', JSON.stringify(samples));
  });
});
