// The central server's file limit (vigil.central_settings.max_blob_bytes) reaches the device with
// the exam, and an exam whose full recording could exceed it is refused by mediaStart BEFORE the
// recorder starts, with a message saying what to do; one that fits records as usual.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilApp } from '../../../src-main/app/create-app';
import { seedDemoCentral } from '../../../src-main/demo/seed-central';
import type { CallName, CallRequest, CallResponse } from '../../../src-preload/contract';
import { createTestApp, type TestApp } from '../../support/app';
import { DEFAULT_RECORDING_BITS_PER_SECOND, THREE_HOURS_S } from '../../support/media/long-recording';

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

describe('the server file limit before recording', () => {
  it('refuses to record an exam whose recording the server would refuse, and records one that fits', async () => {
    const central = await app.context.candidate.central();
    // The administrator allows 100 MB per file: about 12 minutes at the default bitrate.
    await sql`UPDATE vigil.central_settings SET max_blob_bytes = 100000000`.execute(central.db);
    const { examId, code } = await seedDemoCentral(central);
    await call('candidateEnroll', { code });
    const { sessionId } = await call('candidateConsent', { examId, accepted: true });

    const refused = await app.dispatcher.dispatch(
      'mediaStart',
      {
        mimeType: 'video/webm',
        expectedDurationS: THREE_HOURS_S,
        bitsPerSecond: DEFAULT_RECORDING_BITS_PER_SECOND,
      },
      ctx,
    );
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'PAYLOAD_TOO_LARGE',
        details: { maxBlobBytes: 100_000_000, durationS: THREE_HOURS_S },
      },
    });
    if (refused.ok) throw new Error('unreachable');
    expect(refused.error.message).toContain('accepts files up to 100 MB');
    expect(refused.error.message).toContain('Nothing was recorded');
    expect(refused.error.message).toContain('max_blob_bytes');
    // Nothing was opened for it.
    const store = await app.context.candidate.store();
    expect(
      store.raw.prepare('SELECT count(*) AS n FROM media_recordings WHERE session_id = ?').get(sessionId),
    ).toEqual({
      n: 0,
    });

    // The demo exam's 3 × 2 minutes fit in 100 MB: recording starts.
    const started = await call('mediaStart', {
      mimeType: 'video/webm',
      expectedDurationS: 360,
      bitsPerSecond: DEFAULT_RECORDING_BITS_PER_SECOND,
    });
    expect(started.segment).toBe(0);
  });
});
