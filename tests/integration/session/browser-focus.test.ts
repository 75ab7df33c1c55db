// Focus loss in the browser host, where no desktop lockdown watches the window: the exam page's
// report (candidateFocus) becomes a focus_lost warning timed by main, with the lockdown's severity
// rules and a camera frame as its snapshot; reports before the interview or a repeated state are
// not counted, and a loss still open at the finish is kept up to the end.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { VigilApp } from '../../../src-main/app/create-app';
import { seedDemoCentral } from '../../../src-main/demo/seed-central';
import type { CallName, CallRequest, CallResponse } from '../../../src-preload/contract';
import { createTestApp, type TestApp } from '../../support/app';
import { scenes } from '../../support/proctoring/scenes';

const ctx = { transport: 'host' as const, origin: 'test' };
let testApp: TestApp;
let app: VigilApp;

async function call<C extends CallName>(name: C, request: CallRequest<C>) {
  const result = await app.dispatcher.dispatch(name, request, ctx);
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value as CallResponse<C>;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(() => {
  testApp = createTestApp('host');
  app = testApp.app;
});
afterAll(async () => {
  await app.close();
  testApp.cleanup();
});

describe('focus reported by the exam page', () => {
  it('turns blur → focus into a timed focus_lost warning with a snapshot, once', async () => {
    const { examId, code } = await seedDemoCentral(await app.context.candidate.central());
    await call('candidateEnroll', { code });
    const { sessionId } = await call('candidateConsent', { examId, accepted: true });
    await call('candidateSystemCheck', {
      sessionId,
      camera: { ok: true, label: 'Test camera' },
      microphone: { ok: true, label: 'Test microphone', peakDb: -20 },
      displays: 1,
      cpuProbeMs: 40,
    });
    // Before the interview the page's focus is nobody's business.
    expect(await call('candidateFocus', { sessionId, focused: false })).toEqual({ recorded: false });
    await call('candidateBeginInterview', { sessionId });
    const jpeg = new Uint8Array(
      await sharp(await scenes.frontal())
        .resize(320, 240)
        .jpeg()
        .toBuffer(),
    );
    await call('candidateFrame', { sessionId, jpeg, width: 320, height: 240 });

    expect(await call('candidateFocus', { sessionId, focused: false })).toEqual({ recorded: true });
    await call('candidateFocus', { sessionId, focused: false }); // a repeated blur is the same loss
    await sleep(3200);
    await call('candidateFocus', { sessionId, focused: true });
    // A second loss still open when the candidate finishes.
    await call('candidateFocus', { sessionId, focused: false });

    const store = await app.context.candidate.store();
    const warnings = () =>
      store.raw
        .prepare(
          `SELECT started_at, ended_at, severity, snapshot_id, details FROM warnings
           WHERE session_id = ? AND type = 'focus_lost' ORDER BY started_at`,
        )
        .all(sessionId) as {
        started_at: string;
        ended_at: string;
        severity: string;
        snapshot_id: string | null;
        details: string;
      }[];
    await vi.waitFor(() => expect(warnings()[0]?.snapshot_id).toBeTruthy(), { timeout: 15_000 });
    await call('candidateFinish', { sessionId });
    await vi.waitFor(() => expect(warnings()).toHaveLength(2), { timeout: 15_000 });
    const [first, second] = warnings();
    const seconds = (Date.parse(first!.ended_at) - Date.parse(first!.started_at)) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(3.1);
    expect(seconds).toBeLessThan(5);
    expect(first!.severity).toBe('medium'); // 3 s or more (lockdown/violations.ts)
    expect(JSON.parse(first!.details)).toMatchObject({ source: 'browser page (blur or hidden)' });
    expect(JSON.parse(second!.details)).toMatchObject({ openAtExamEnd: true });
    // After the finish nothing more is counted.
    expect(await call('candidateFocus', { sessionId, focused: true })).toEqual({ recorded: false });
  }, 120_000);
});
