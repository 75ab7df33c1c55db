// Proctoring through the candidate contract, the one path the windows use: camera frames of an
// empty room during the interview raise a no_face warning whose stored snapshot is the very JPEG
// the renderer sent (not a re-encode), the candidate is told while it lasts, a malformed frame and
// an unknown session are refused with typed errors, audio levels are taken, and the finish ends the
// warning and stores the session's risk score. Frames after the first do not read the session's
// progress row (with its face embedding) from SQLite. Real analysis worker, embedded central store.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { VigilApp } from '../../../src-main/app/create-app';
import { seedDemoCentral } from '../../../src-main/demo/seed-central';
import type { CallName, CallRequest, CallResponse, EventPayload } from '../../../src-preload/contract';
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

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(() => {
  testApp = createTestApp('host');
  app = testApp.app;
});
afterAll(async () => {
  await app.close();
  testApp.cleanup();
});

describe('proctoring through the candidate session', () => {
  it('raises no_face from camera frames with the captured JPEG as evidence, and ends it at the finish', async () => {
    const notices: EventPayload<'candidateNotice'>[] = [];
    app.events.attach((event, payload) => {
      if (event === 'candidateNotice') notices.push(payload as EventPayload<'candidateNotice'>);
    });
    const central = await app.context.candidate.central();
    const { examId, code } = await seedDemoCentral(central);
    // A practice exam evaluated on the device, so the device scores the session's risk too.
    await central.query(
      `UPDATE vigil.exams SET policy = policy || '{"practice": true, "evaluation": "device"}' WHERE id = $1`,
      [examId],
    );
    await call('candidateEnroll', { code });
    const { sessionId } = await call('candidateConsent', { examId, accepted: true });
    await call('candidateSystemCheck', {
      sessionId,
      camera: { ok: true, label: 'Test camera' },
      microphone: { ok: true, label: 'Test microphone', peakDb: -20 },
      displays: 1,
      cpuProbeMs: 40,
    });
    await call('candidateBeginInterview', { sessionId });

    // An empty room, each frame encoded a little differently so every frame's bytes are its own.
    const room = await sharp(await scenes.noFace())
      .resize(320, 240)
      .toBuffer();
    const sent = new Set<string>();
    const frame = async (i: number) => {
      const jpeg = new Uint8Array(
        await sharp(room)
          .jpeg({ quality: 60 + i })
          .toBuffer(),
      );
      sent.add(sha256(jpeg));
      return call('candidateFrame', { sessionId, jpeg, width: 320, height: 240 });
    };

    const store = await app.context.candidate.store();
    expect((await frame(0)).accepted).toBe(true);
    const prepare = vi.spyOn(store.raw, 'prepare');
    try {
      // 3.6 s of frames at about 3 fps: longer than no_face's 2 s minimum duration.
      for (let i = 1; i <= 12; i++) {
        expect((await frame(i)).accepted).toBe(true);
        await sleep(300);
      }
      const progressReads = prepare.mock.calls.filter(([sql]) => String(sql).includes('candidate_progress'));
      expect(progressReads).toEqual([]);
    } finally {
      prepare.mockRestore();
    }

    const bad = await app.dispatcher.dispatch(
      'candidateFrame',
      { sessionId, jpeg: new Uint8Array(Buffer.from('not an image')), width: 320, height: 240 },
      ctx,
    );
    // Camera frames are decoded in the parser worker: an unreadable one is INVALID_DOCUMENT.
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'INVALID_DOCUMENT', details: { problem: 'corrupt' } },
    });
    const unknown = await app.dispatcher.dispatch(
      'candidateFrame',
      { sessionId: randomUUID(), jpeg: new Uint8Array(room), width: 320, height: 240 },
      ctx,
    );
    expect(unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const audio = await call('candidateAudio', {
      sessionId,
      frames: [{ timestampMs: 0, levelDb: -60, voiceProbability: 0.1, trackLive: true }],
    });
    expect(audio).toEqual({ accepted: 1 });

    const warning = () =>
      store.raw
        .prepare(`SELECT id, ended_at, snapshot_id FROM warnings WHERE session_id = ? AND type = 'no_face'`)
        .get(sessionId) as { id: string; ended_at: string | null; snapshot_id: string | null } | undefined;
    await vi.waitFor(() => expect(warning()?.snapshot_id).toBeTruthy(), { timeout: 30_000 });
    const snapshot = store.raw
      .prepare('SELECT path, sha256, bytes FROM snapshots WHERE id = ?')
      .get(warning()!.snapshot_id) as { path: string; sha256: string; bytes: number };
    const file = new Uint8Array(fs.readFileSync(snapshot.path));
    expect(sha256(file)).toBe(snapshot.sha256);
    expect(file.length).toBe(snapshot.bytes);
    // The evidence is one of the JPEGs the renderer sent, byte for byte.
    expect(sent.has(snapshot.sha256)).toBe(true);
    expect(notices).toContainEqual(expect.objectContaining({ sessionId, key: 'no_face', active: true }));

    await call('candidateFinish', { sessionId });
    expect(warning()!.ended_at).not.toBeNull();
    expect(notices.at(-1)).toMatchObject({ sessionId, key: 'no_face', active: false });
    const types = store.raw
      .prepare('SELECT DISTINCT type FROM warnings WHERE session_id = ?')
      .all(sessionId) as { type: string }[];
    expect(types.map((t) => t.type)).toEqual(['no_face']);
    const session = store.raw.prepare('SELECT risk_score FROM sessions WHERE id = ?').get(sessionId) as {
      risk_score: number | null;
    };
    expect(session.risk_score).toBeGreaterThan(0);
    const kinds = (
      store.raw.prepare('SELECT kind FROM events WHERE session_id = ? ORDER BY seq').all(sessionId) as {
        kind: string;
      }[]
    ).map((e) => e.kind);
    expect(kinds.indexOf('warning_started')).toBeGreaterThan(kinds.indexOf('interview_started'));
    expect(kinds.indexOf('warning_ended')).toBeGreaterThan(kinds.indexOf('warning_started'));
  }, 300_000);
});
