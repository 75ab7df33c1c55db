// A crash in the middle of the interview never ends the exam. The app stops mid-question (its
// process state is gone: no finish, no stop of the recording); the next start returns the
// candidate to the question they were on, with their draft and the time it had left; the
// interruption is a chain event and a warning with its duration; the recording goes on in a new
// segment of the same recording and merges whole; the session reaches central once, completed.
// A candidate who does not come back within the exam's interruption window has the session
// finished with what was saved. Driven through the contract, no Chromium, on the embedded central.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type VigilApp } from '../../../src-main/app/create-app';
import { loadConfig, type LoadedConfig } from '../../../src-main/config/load';
import { DEMO_ANSWERS, seedDemoCentral } from '../../../src-main/demo/seed-central';
import type { CallName, CallRequest, CallResponse } from '../../../src-preload/contract';
import { makeTempDir, memoryLogger } from '../../support/app';
import { ffprobeJson, makeLiveWebm, sliceChunks } from '../../support/media/fixtures';

const ctx = { transport: 'host' as const, origin: 'test' };
const SECONDS = 6;
let dir: string;
let source: string;
const apps: VigilApp[] = [];

function start(loaded: LoadedConfig): VigilApp {
  const app = createApp({ loaded, logger: memoryLogger([]), mode: 'host' });
  apps.push(app);
  return app;
}

function configIn(name: string): LoadedConfig {
  return loadConfig({
    env: { VIGIL_DATA_DIR: path.join(dir, name) },
    policyFile: path.join(dir, 'none.json'),
    home: dir,
  });
}

async function call<C extends CallName>(app: VigilApp, name: C, request: CallRequest<C>) {
  const result = await app.dispatcher.dispatch(name, request, ctx);
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value as CallResponse<C>;
}

/** Enrolls, consents and passes the checks; the interview begins. */
async function beginExam(app: VigilApp) {
  const { examId, code } = await seedDemoCentral(await app.context.candidate.central());
  await call(app, 'candidateEnroll', { code });
  const { sessionId } = await call(app, 'candidateConsent', { examId, accepted: true });
  const check = await call(app, 'candidateSystemCheck', {
    sessionId,
    camera: { ok: true, label: 'Test camera' },
    microphone: { ok: true, label: 'Test microphone', peakDb: -20 },
    displays: 1,
    cpuProbeMs: 40,
  });
  expect(check.passed).toBe(true);
  const state = await call(app, 'candidateBeginInterview', { sessionId });
  return { sessionId, state };
}

async function sendChunks(app: VigilApp, recordingId: string, segment: number, from: number, to: number) {
  const chunks = sliceChunks(source, 4, SECONDS * 1000);
  for (let seq = 0; seq < to - from; seq++) {
    const chunk = chunks[from + seq]!;
    await call(app, 'mediaAppendChunk', {
      recordingId,
      segment,
      seq,
      elapsedMs: chunk.elapsedMs - (from > 0 ? chunks[from - 1]!.elapsedMs : 0),
      bytes: new Uint8Array(chunk.bytes),
    });
  }
}

beforeAll(() => {
  dir = makeTempDir('vigil-crash-resume-');
  source = path.join(dir, 'source.webm');
  makeLiveWebm(source, { seconds: SECONDS });
});
afterAll(async () => {
  for (const app of apps) await app.close().catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a crash in the middle of the interview', () => {
  it('returns to the open question with its draft and clock; the recording goes on; central gets one finished session', async () => {
    const loaded = configIn('resume');
    const first = start(loaded);
    const { sessionId, state } = await beginExam(first);
    const q1 = state.question!;
    let next = await call(first, 'candidateSubmitAnswer', {
      sessionId,
      questionId: q1.id,
      text: DEMO_ANSWERS[0]!,
    });
    const q2 = next.question!;
    const media = await call(first, 'mediaStart', {
      mimeType: 'video/webm;codecs=vp8,opus',
      expectedDurationS: 600,
    });
    await sendChunks(first, media.recordingId, media.segment, 0, 2);
    await new Promise((r) => setTimeout(r, 1500)); // the question runs 1.5 s more
    const draft = 'First, I write the tests; ';
    await call(first, 'candidateSaveDraft', { sessionId, questionId: q2.id, text: draft });
    const stoppedAt = Date.now();
    // The app stops: its memory is gone (the open question, the live recording); the disk stays.
    await first.close();
    await new Promise((r) => setTimeout(r, 2000)); // down for 2 s

    const second = start(loaded);
    const overview = await call(second, 'candidateOverview', {});
    expect(overview.activeSession).toMatchObject({ sessionId, stage: 'interview' });
    const back = await call(second, 'candidateInterviewState', { sessionId });
    // The same question, its draft, and the time it had left when the app stopped (not its full time).
    expect(back.question).toMatchObject({ id: q2.id, index: q2.index, draft });
    const ranBeforeMs = q2.timeLimitS * 1000 - back.question!.remainingMs;
    expect(ranBeforeMs).toBeGreaterThan(1400);
    expect(ranBeforeMs).toBeLessThan(1400 + (Date.now() - stoppedAt)); // the downtime is not counted
    // The recording continues in a new segment of the same recording.
    const resumed = await call(second, 'mediaStart', {
      mimeType: 'video/webm;codecs=vp8,opus',
      expectedDurationS: 600,
    });
    expect(resumed).toMatchObject({ recordingId: media.recordingId, segment: 1 });
    // (The second segment is a recorder of its own: a whole WebM from its start.)
    await sendChunks(second, resumed.recordingId, 1, 0, 4);
    next = await call(second, 'candidateSubmitAnswer', {
      sessionId,
      questionId: q2.id,
      text: `${draft}${DEMO_ANSWERS[1]!}`,
    });
    while (next.question)
      next = await call(second, 'candidateSubmitAnswer', {
        sessionId,
        questionId: next.question.id,
        text: DEMO_ANSWERS[next.question.index]!,
      });
    expect(next.done).toBe(true);
    const merged = await call(second, 'mediaStop', {
      recordingId: resumed.recordingId,
      recordedMs: SECONDS * 1000,
    });
    expect(Number(ffprobeJson(merged.path).format.duration)).toBeGreaterThan(SECONDS * 0.5 + SECONDS - 1);
    await call(second, 'candidateFinish', { sessionId });

    const store = await second.context.candidate.store();
    const resumedEvent = store.raw
      .prepare(`SELECT body FROM events WHERE session_id = ? AND kind = 'interview_resumed'`)
      .all(sessionId) as { body: string }[];
    expect(resumedEvent).toHaveLength(1);
    const data = (
      JSON.parse(resumedEvent[0]!.body) as {
        data: { interruptedMs: number; clock: string; questionId: string };
      }
    ).data;
    expect(data).toMatchObject({ clock: 'resume', questionId: q2.id });
    expect(data.interruptedMs).toBeGreaterThanOrEqual(2000);
    const warning = store.raw
      .prepare(`SELECT started_at, ended_at FROM warnings WHERE session_id = ? AND type = 'app_interrupted'`)
      .all(sessionId) as { started_at: string; ended_at: string }[];
    expect(warning).toHaveLength(1);
    expect(Date.parse(warning[0]!.ended_at) - Date.parse(warning[0]!.started_at)).toBe(data.interruptedMs);

    // Central: one session, finished, with its interruption warning.
    const central = await second.context.candidate.central();
    await expect
      .poll(
        async () =>
          (
            await central.query<{ status: string; warnings: number }>(
              `SELECT s.status, (SELECT count(*)::int FROM vigil.warnings w WHERE w.session_id = s.id AND w.type = 'app_interrupted') AS warnings
               FROM vigil.sessions s WHERE s.id = $1`,
              [sessionId],
            )
          )[0],
        { timeout: 60_000, interval: 500 },
      )
      .toEqual({ status: 'completed', warnings: 1 });
  });

  it('a candidate who does not come back within the interruption window has the session finished with what was saved', async () => {
    const loaded = configIn('stranded');
    const first = start(loaded);
    const { sessionId, state } = await beginExam(first);
    const q1 = state.question!;
    await call(first, 'candidateSaveDraft', { sessionId, questionId: q1.id, text: 'A draft that counts.' });
    await first.close();

    const second = start(loaded);
    const service = await second.context.candidate.service();
    // Two hours later (the default window is 60 minutes).
    expect(await service.finishStranded(new Date(Date.now() + 2 * 3_600_000))).toEqual([sessionId]);
    const store = await second.context.candidate.store();
    const session = store.raw.prepare('SELECT status FROM sessions WHERE id = ?').get(sessionId) as {
      status: string;
    };
    expect(session.status).toBe('completed');
    const answer = store.raw.prepare('SELECT text, final FROM answers WHERE question_id = ?').get(q1.id) as {
      text: string;
      final: number;
    };
    expect(answer).toEqual({ text: 'A draft that counts.', final: 1 });
    const kinds = (
      store.raw.prepare('SELECT kind FROM events WHERE session_id = ? ORDER BY seq').all(sessionId) as {
        kind: string;
      }[]
    ).map((e) => e.kind);
    expect(kinds).toContain('interview_not_resumed');
    expect(kinds.indexOf('interview_not_resumed')).toBeGreaterThan(-1);
    expect(kinds.indexOf('interview_not_resumed')).toBeLessThan(kinds.indexOf('session_finished'));
    const overview = await call(second, 'candidateOverview', {});
    expect(overview.activeSession?.stage ?? 'finish').toBe('finish');
    const central = await second.context.candidate.central();
    await expect
      .poll(
        async () =>
          (
            await central.query<{ status: string }>('SELECT status FROM vigil.sessions WHERE id = $1', [
              sessionId,
            ])
          )[0]?.status,
        { timeout: 60_000, interval: 500 },
      )
      .toBe('completed');
  });
});
