// A break through the candidate contract: it is recorded in the evidence chain when it starts and
// ends, no question timer runs and no camera frame is analysed during it (so no rule can raise a
// warning), and afterwards the next question starts with its full, extended time and proctoring
// resumes. Runs on the embedded central store (PGlite); frames are real JPEGs (sharp).
import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../../src-main/app/create-app';
import { DEMO_ANSWERS, seedDemoCentral } from '../../../src-main/demo/seed-central';
import type { CallName, CallRequest, CallResponse } from '../../../src-preload/contract';
import { createTestApp, type TestApp } from '../../support/app';

const ctx = { transport: 'host' as const, origin: 'test' };
let testApp: TestApp;
let app: VigilApp;

async function call<C extends CallName>(name: C, request: CallRequest<C>) {
  const result = await app.dispatcher.dispatch(name, request, ctx);
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value as CallResponse<C>;
}

beforeAll(() => {
  testApp = createTestApp('host');
  app = testApp.app;
});
afterAll(async () => {
  await app.close();
  testApp.cleanup();
});

describe('a break between questions', () => {
  it('pauses timers and proctoring, is recorded in the chain, and resumes with the next question', async () => {
    const central = await app.context.candidate.central();
    const { examId, code } = await seedDemoCentral(central);
    const accommodation = {
      name: 'breaks and extra time',
      extraTimePercent: 25,
      breaks: { count: 1, maxMinutes: 10 },
    };
    await sql`UPDATE vigil.exams SET policy = policy || ${JSON.stringify({ accommodation })}::jsonb
              WHERE id = ${examId}`.execute(central.db);
    await call('candidateEnroll', { code });
    const { sessionId } = await call('candidateConsent', { examId, accepted: true });
    await call('candidateSystemCheck', {
      sessionId,
      camera: { ok: true, label: 'Test camera' },
      microphone: { ok: true, label: 'Test microphone', peakDb: -20 },
      displays: 1,
      cpuProbeMs: 40,
    });
    const first = await call('candidateBeginInterview', { sessionId });
    // 120 s questions with 25% extra time: 150 s.
    expect(first.question).toMatchObject({
      index: 0,
      timeLimitS: 150,
      baseTimeLimitS: 120,
      answerMode: 'text',
    });
    expect(first.accommodation).toEqual({ name: 'breaks and extra time', extraTimePercent: 25 });

    const paused = await call('candidateSubmitAnswer', {
      sessionId,
      questionId: first.question!.id,
      text: DEMO_ANSWERS[0]!,
      thenBreak: true,
    });
    expect(paused).toMatchObject({ done: false, question: null, breaks: { allowed: 1, used: 1 } });
    expect(paused.breaks?.active?.nextIndex).toBe(1);
    // An empty room during the break: the frame is not analysed, no warning can follow from it.
    const empty = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#202020' } })
      .jpeg()
      .toBuffer();
    const during = await call('candidateFrame', {
      sessionId,
      jpeg: new Uint8Array(empty),
      width: 320,
      height: 240,
    });
    expect(during).toMatchObject({ accepted: false, faces: null });
    const audio = await call('candidateAudio', {
      sessionId,
      frames: [{ timestampMs: 0, levelDb: -20, voiceProbability: 0.9, trackLive: true }],
    });
    expect(audio.accepted).toBe(0);

    const back = await call('candidateEndBreak', { sessionId });
    expect(back.question).toMatchObject({ index: 1, timeLimitS: 150 });
    // The question's clock started at the end of the break: its full time is left.
    expect(back.question!.remainingMs).toBeGreaterThan(145_000);
    expect(back.breaks?.active).toBeNull();
    const after = await call('candidateFrame', {
      sessionId,
      jpeg: new Uint8Array(empty),
      width: 320,
      height: 240,
    });
    expect(after.accepted).toBe(true);

    // A second break is refused: the profile allows one.
    const refused = await app.dispatcher.dispatch(
      'candidateSubmitAnswer',
      { sessionId, questionId: back.question!.id, text: 'x', thenBreak: true },
      ctx,
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    const store = await app.context.candidate.store();
    const events = store.raw
      .prepare('SELECT kind, body FROM events WHERE session_id = ? ORDER BY seq')
      .all(sessionId) as { kind: string; body: string }[];
    const data = (kind: string) =>
      (JSON.parse(events.find((e) => e.kind === kind)!.body) as { data: Record<string, unknown> }).data;
    expect(data('interview_started')).toEqual({
      accommodation: { ...accommodation, detectors: null, allowedApps: [] },
    });
    expect(data('break_started')).toEqual({ afterQuestion: 1, maxMs: 600_000, number: 1 });
    expect(data('break_ended')).toMatchObject({ afterQuestion: 1, reason: 'resumed' });
    const kinds = events.map((e) => e.kind);
    expect(kinds.indexOf('break_started')).toBeLessThan(kinds.indexOf('break_ended'));
  }, 300_000);
});
