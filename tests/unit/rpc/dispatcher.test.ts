import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_REQUEST_BYTES } from '../../../src-preload/contract';
import { VigilError } from '../../../src-main/errors';
import { createDispatcher, dispatcherForWindow, type Handlers } from '../../../src-main/rpc/dispatcher';
import { createTestApp, memoryLogger, type TestApp } from '../../support/app';

const ctx = { transport: 'host' as const, origin: 'test' };
let t: TestApp;
afterEach(() => t?.cleanup());

describe('dispatcher', () => {
  it('answers a valid call', async () => {
    t = createTestApp();
    const result = await t.app.dispatcher.dispatch('ping', { nonce: 'abc' }, ctx);
    expect(result).toMatchObject({ ok: true, value: { nonce: 'abc' } });
  });

  it('turns malformed requests into typed errors and keeps serving', async () => {
    t = createTestApp();
    const d = t.app.dispatcher;
    const wrongType = await d.dispatch('ping', { nonce: 42 }, ctx);
    expect(wrongType).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    if (!wrongType.ok) expect(wrongType.error.details).toMatchObject({ issues: [{ path: 'nonce' }] });

    const missing = await d.dispatch('ping', {}, ctx);
    expect(missing).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });

    const extra = await d.dispatch('getAppInfo', { sneaky: true }, ctx);
    expect(extra).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });

    const notObject = await d.dispatch('ping', 'hello', ctx);
    expect(notObject).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });

    const unknown = await d.dispatch('dropAllTables', {}, ctx);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CALL' } });

    const proto = await d.dispatch('__proto__', {}, ctx);
    expect(proto).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CALL' } });

    const huge = await d.dispatch('ping', { nonce: 'x'.repeat(DEFAULT_MAX_REQUEST_BYTES) }, ctx);
    expect(huge).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });

    const still = await d.dispatch('ping', { nonce: 'after' }, ctx);
    expect(still).toMatchObject({ ok: true, value: { nonce: 'after' } });
  });

  it('returns typed errors thrown by handlers and hides unexpected ones', async () => {
    const logs: string[] = [];
    t = createTestApp();
    const base = t.app.dispatcher;
    const handlers = {
      getAppInfo: async () => {
        throw new VigilError('UNAVAILABLE', 'The central server cannot be reached.', { host: 'db.example' });
      },
      ping: async () => {
        throw new Error('secret internal detail');
      },
      checkExamReadiness: async () => ({ ready: true, blockers: 'not-an-array' }),
      consoleWhoAmI: async () => null,
    } as unknown as Handlers;
    const d = createDispatcher(handlers, memoryLogger(logs));
    expect(await d.dispatch('getAppInfo', {}, ctx)).toEqual({
      ok: false,
      error: {
        code: 'UNAVAILABLE',
        message: 'The central server cannot be reached.',
        details: { host: 'db.example' },
      },
    });
    const internal = await d.dispatch('ping', { nonce: 'n' }, ctx);
    expect(internal).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(internal)).not.toContain('secret internal detail');
    expect(logs.join('\n')).toContain('secret internal detail');
    const broken = await d.dispatch('checkExamReadiness', {}, ctx);
    expect(broken).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(await d.dispatch('consoleWhoAmI', {}, ctx)).toMatchObject({ ok: true, value: null });
    expect(await base.dispatch('ping', { nonce: 'fine' }, ctx)).toMatchObject({ ok: true });
  });

  it('refuses exams while the configuration is invalid', async () => {
    t = createTestApp('host', { VIGIL_PROCTORING_FRAME_RATE: '500' });
    const readiness = await t.app.dispatcher.dispatch('checkExamReadiness', {}, ctx);
    expect(readiness).toMatchObject({ ok: true, value: { ready: false } });
    if (readiness.ok) {
      const value = readiness.value as { blockers: { message: string }[] };
      expect(value.blockers[0]?.message).toContain('VIGIL_PROCTORING_FRAME_RATE');
      expect(value.blockers[0]?.message).toContain('proctoring.frameRate');
    }
  });

  it("refuses, per window, the calls of the other window's group before running anything", async () => {
    const ran: string[] = [];
    const handlers = new Proxy(
      {},
      {
        get: (_target, name: string) => async () => {
          ran.push(name);
          return name === 'consoleWhoAmI' ? null : { nonce: 'n', receivedAt: new Date().toISOString() };
        },
      },
    ) as Handlers;
    const base = createDispatcher(handlers, memoryLogger([]));
    const candidate = dispatcherForWindow(base, 'candidate');
    const console = dispatcherForWindow(base, 'console');
    expect(await candidate.dispatch('consoleWhoAmI', {}, ctx)).toEqual({
      ok: false,
      error: {
        code: 'FORBIDDEN',
        message: 'The candidate window may not call consoleWhoAmI.',
        details: { call: 'consoleWhoAmI', window: 'candidate' },
      },
    });
    expect(
      await console.dispatch('candidateFinishProgress', { sessionId: crypto.randomUUID() }, ctx),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', details: { window: 'console' } },
    });
    expect(ran).toEqual([]);
    // Its own and the app-wide calls go through; unknown names keep their own error.
    expect(await console.dispatch('consoleWhoAmI', {}, ctx)).toMatchObject({ ok: true, value: null });
    expect(await candidate.dispatch('ping', { nonce: 'n' }, ctx)).toMatchObject({ ok: true });
    expect(await console.dispatch('ping', { nonce: 'n' }, ctx)).toMatchObject({ ok: true });
    expect(await candidate.dispatch('dropAllTables', {}, ctx)).toMatchObject({
      error: { code: 'UNKNOWN_CALL' },
    });
    expect(ran).toEqual(['consoleWhoAmI', 'ping', 'ping']);
  });
});
