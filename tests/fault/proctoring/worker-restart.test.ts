// Killing the analysis worker mid-stream: the engine restarts it, records an analysis_interrupted
// warning covering the gap, and goes on analysing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../../src-main/proctoring/decode-image';
import { WorkerFaceAnalyzer } from '../../../src-main/proctoring/face-analyzer';
import { defaultPolicy } from '../../../src-main/proctoring/policy';
import { ProctoringSession } from '../../../src-main/proctoring/session';
import type { RawFrame, WarningEvent } from '../../../src-main/proctoring/types';
import { scenes } from '../../support/proctoring/scenes';

let analyzer: WorkerFaceAnalyzer;
let frontal: RawFrame;

beforeAll(async () => {
  analyzer = await WorkerFaceAnalyzer.start();
  frontal = await decodeImage(await scenes.frontal());
});
afterAll(async () => {
  await analyzer?.close();
});

describe('analysis worker crash', () => {
  it('restarts the worker, records analysis_interrupted with the gap, and resumes', async () => {
    const events: WarningEvent[] = [];
    const session = new ProctoringSession({ policy: defaultPolicy, analyzer, sink: (e) => events.push(e) });
    const at = (ms: number): RawFrame => ({ ...frontal, timestampMs: ms });
    for (const ms of [0, 500, 1000]) {
      session.submitFrame(at(ms));
      await session.flush();
    }
    expect(session.status().analysed).toBe(3);

    analyzer.simulateCrash();
    session.submitFrame(at(1500)); // in flight when the worker dies: lost
    await session.flush();
    await analyzer.settled();
    for (const ms of [2000, 2500, 3000]) {
      session.submitFrame(at(ms));
      await session.flush();
    }

    const status = session.status();
    expect(analyzer.restarts).toBe(1);
    expect(status).toMatchObject({ analysed: 6, failed: 1, interruptions: 1 });
    const interrupted = events.filter((e) => e.warning.type === 'analysis_interrupted');
    expect(interrupted.map((e) => e.kind)).toEqual(['raised', 'ended']);
    expect(interrupted[1]!.warning).toMatchObject({
      startMs: 1000,
      endMs: 2000,
      detector: 'analysis worker supervisor',
      details: { exitCode: 70, framesLost: 1 },
    });
    expect(interrupted[1]!.warning.details.wallGapMs as number).toBeGreaterThan(0);
    // The restarted worker still sees the frontal face and the frontal stretch raises nothing else.
    expect(events.filter((e) => e.warning.type !== 'analysis_interrupted')).toEqual([]);
    expect((await analyzer.stats()).framesAnalysed).toBe(3);
    await session.end();
  });
});
