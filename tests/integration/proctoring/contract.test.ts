// The proctoring calls through the real composition root and dispatcher: start, JPEG frames, audio
// levels, a malformed frame, and the end of the session with its explained risk score.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type VigilApp } from '../../../src-main/app/create-app';
import { loadConfig } from '../../../src-main/config/load';
import { silentLogger } from '../../../src-main/log/logger';
import { scenes } from '../../support/proctoring/scenes';

let dir: string;
let app: VigilApp;
const ctx = { transport: 'host' as const, origin: 'test' };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-proctoring-contract-'));
  const loaded = loadConfig({
    env: { VIGIL_DATA_DIR: dir },
    home: dir,
    policyFile: path.join(dir, 'policy.json'),
    userFile: path.join(dir, 'settings.json'),
  });
  app = createApp({ loaded, logger: silentLogger(), mode: 'host' });
});
afterAll(async () => {
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('proctoring contract calls', () => {
  it('analyses frames, emits warning events, and ends with the risk score and its contributions', async () => {
    const events: { event: string; payload: unknown }[] = [];
    app.events.attach((event, payload) => events.push({ event, payload }));
    const sessionId = 'c0ffee00-0000-4000-8000-000000000001';
    const start = await app.dispatcher.dispatch('proctoringStart', { sessionId }, ctx);
    expect(start).toEqual({ ok: true, value: { recommendedFps: 2 } });

    const empty = (
      await sharp(await scenes.noFace())
        .resize(320, 240)
        .jpeg()
        .toBuffer()
    ).toString('base64');
    for (let i = 0; i < 8; i++) {
      const r = await app.dispatcher.dispatch(
        'proctoringFrame',
        { sessionId, timestampMs: i * 500, image: empty },
        ctx,
      );
      expect(r.ok).toBe(true);
      // Let the worker keep up so no frame is dropped.
      await new Promise((resolve) => setTimeout(resolve, 50));
      while (app.context.proctoring.status(sessionId).queued > 0)
        await new Promise((r2) => setTimeout(r2, 20));
    }
    const bad = await app.dispatcher.dispatch(
      'proctoringFrame',
      { sessionId, timestampMs: 5000, image: Buffer.from('not an image').toString('base64') },
      ctx,
    );
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const audio = await app.dispatcher.dispatch(
      'proctoringAudio',
      { sessionId, frames: [{ timestampMs: 0, levelDb: -60, voiceProbability: 0.1, trackLive: true }] },
      ctx,
    );
    expect(audio).toEqual({ ok: true, value: { accepted: 1 } });
    const unknown = await app.dispatcher.dispatch(
      'proctoringFrame',
      { sessionId: 'nope', timestampMs: 0, image: empty },
      ctx,
    );
    expect(unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    const end = await app.dispatcher.dispatch('proctoringEnd', { sessionId }, ctx);
    expect(end.ok).toBe(true);
    const value = (end as { ok: true; value: { risk: { score: number; contributions: { type: string }[] } } })
      .value;
    expect(value.risk.contributions.map((c) => c.type)).toEqual(['no_face']);
    expect(value.risk.score).toBeGreaterThan(0);
    const warningEvents = events.filter((e) => e.event === 'proctoringWarning').map((e) => e.payload);
    expect(warningEvents).toEqual([
      expect.objectContaining({ sessionId, kind: 'raised', type: 'no_face', startMs: 0, endMs: null }),
      expect.objectContaining({ sessionId, kind: 'ended', type: 'no_face', startMs: 0 }),
    ]);
  });
});
