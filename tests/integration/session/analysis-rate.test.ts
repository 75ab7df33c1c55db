// The `proctoring.frameRate` setting is the rate the camera is analysed at for the whole exam: main
// answers every frame with it (not the exam policy's rate after the first one), the CPU probe can
// only lower it, and the chain's `analysis_rate` event says which rate and why.
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { seedDemoCentral } from '../../../src-main/demo/seed-central';
import type { CallName, CallRequest, CallResponse } from '../../../src-preload/contract';
import { createTestApp, type TestApp } from '../../support/app';
import { scenes } from '../../support/proctoring/scenes';

const ctx = { transport: 'host' as const, origin: 'test' };
const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) {
    await t.app.close();
    t.cleanup();
  }
});

async function examAt(frameRate: string, cpuProbeMs: number) {
  const t = createTestApp('host', { VIGIL_PROCTORING_FRAME_RATE: frameRate });
  apps.push(t);
  const call = async <C extends CallName>(name: C, request: CallRequest<C>) => {
    const result = await t.app.dispatcher.dispatch(name, request, ctx);
    if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
    return result.value as CallResponse<C>;
  };
  const { examId, code } = await seedDemoCentral(await t.app.context.candidate.central());
  await call('candidateEnroll', { code });
  const { sessionId } = await call('candidateConsent', { examId, accepted: true });
  await call('candidateSystemCheck', {
    sessionId,
    camera: { ok: true, label: 'Test camera' },
    microphone: { ok: true, label: 'Test microphone', peakDb: -20 },
    displays: 1,
    cpuProbeMs,
  });
  await call('candidateBeginInterview', { sessionId });
  const jpeg = new Uint8Array(
    await sharp(await scenes.noFace())
      .resize(320, 240)
      .jpeg()
      .toBuffer(),
  );
  const rates: number[] = [];
  for (let i = 0; i < 4; i++)
    rates.push((await call('candidateFrame', { sessionId, jpeg, width: 320, height: 240 })).recommendedFps);
  const store = await t.app.context.candidate.store();
  const event = store.raw
    .prepare(`SELECT body FROM events WHERE session_id = ? AND kind = 'analysis_rate'`)
    .get(sessionId) as { body: string };
  return { rates, chained: (JSON.parse(event.body) as { data: Record<string, unknown> }).data };
}

describe('the analysis frame rate', () => {
  it('is the configured rate for every frame of the exam, and the chain says so', async () => {
    const slow = await examAt('0.5', 20);
    expect(slow.rates).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(slow.chained).toMatchObject({ fps: 0.5, configuredFps: 0.5, reason: 'configured' });
    const fast = await examAt('4', 20);
    expect(fast.rates).toEqual([4, 4, 4, 4]);
    expect(fast.chained).toMatchObject({ fps: 4, configuredFps: 4, reason: 'configured' });
  });

  it('is lowered, never raised, by a slow CPU probe', async () => {
    const probed = await examAt('2', 100);
    expect(probed.chained).toMatchObject({ configuredFps: 2, reason: 'cpu_probe' });
    const fps = probed.chained.fps as number;
    expect(fps).toBeLessThan(2);
    expect(probed.rates).toEqual([fps, fps, fps, fps]);
  });
});
