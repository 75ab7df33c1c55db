// Exam content at rest (issue 18 item 4): the exam cached on the candidate's device is sealed. Its
// questions are not in the SQLite file before the start; the server releases the key only while the
// exam's window is open; an exam allowed to start offline opens with the proctor's start code, and
// not with a wrong one; a cache edited on the device is refused with what to do. Real PostgreSQL
// (pgcrypto seals on the server), the app through its contract, the device's SQLite edited directly.
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminService } from '../../../src-main/admin/admin-service';
import { localDbPath } from '../../../src-main/store/db-file';
import type { CallName, CallRequest, ContractError, Result } from '../../../src-preload/contract';
import { createTestApp, type TestApp } from '../../support/app';
import { DEVICE_LOGIN, startCentral, type CentralFixture } from '../../support/central';

const ctx = { transport: 'host' as const, origin: 'test' };
const SECRET = 'Describe how you would shard the ledger table of a payments company';
const POLICY_WORD = 'sealed-policy-marker';

let central: CentralFixture;
let admin: AdminService;
const apps: TestApp[] = [];

beforeAll(async () => {
  central = await startCentral();
  admin = new AdminService(central.owner.query);
}, 120_000);

afterAll(async () => {
  for (const t of apps) {
    await t.app.close();
    t.cleanup();
  }
  await central?.close();
});

async function newExam(title: string, extra: { opensAt?: string } = {}): Promise<string> {
  return admin.saveExam({
    title,
    type: 'SKL',
    difficulty: 5,
    keyQuestions: [
      { question: `${SECRET} (${title})`, time_limit_s: 120 },
      { question: 'What is a write-ahead log?', time_limit_s: 90 },
    ],
    policy: { note: POLICY_WORD },
    ...extra,
  });
}

/** A fresh device (its own app and SQLite) enrolled online for the exam. */
async function enrolledDevice(examId: string) {
  const t = createTestApp('host', {
    VIGIL_CENTRAL_URL: central.pg.urlFor(DEVICE_LOGIN),
    VIGIL_CENTRAL_SSL_MODE: 'disable',
  });
  apps.push(t);
  const call = <C extends CallName>(name: C, request: CallRequest<C>) =>
    t.app.dispatcher.dispatch(name, request, ctx);
  const [enrollment] = await admin.createEnrollments({
    examId,
    candidates: [{ email: `${randomUUID()}@candidates.test`, name: 'Ada' }],
  });
  expect(await call('candidateEnroll', { code: enrollment!.code })).toMatchObject({ ok: true });
  const store = await t.app.context.candidate.store();
  return { t, call, store };
}

function refusal(result: Result<unknown>): ContractError {
  expect(result.ok).toBe(false);
  return (result as { ok: false; error: ContractError }).error;
}

/** Everything SQLite has on disk for the device: the database and its write-ahead log. */
function deviceBytes(t: TestApp): Buffer {
  const db = localDbPath(t.dir);
  return Buffer.concat([db, `${db}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
}

describe('the exam cached on the device', () => {
  it('holds no question or policy in plaintext before the start, and opens at the start online', async () => {
    const examId = await newExam('Sealed online');
    const { t, call, store } = await enrolledDevice(examId);
    const bytes = deviceBytes(t);
    expect(bytes.includes(Buffer.from('Sealed online'))).toBe(true); // the list's facts are plain
    expect(bytes.includes(Buffer.from(SECRET))).toBe(false);
    expect(bytes.includes(Buffer.from('write-ahead log'))).toBe(false);
    expect(bytes.includes(Buffer.from(POLICY_WORD))).toBe(false);
    // The exam list still says what the exam is.
    const overview = await call('candidateOverview', {});
    expect(overview).toMatchObject({
      ok: true,
      value: { exams: [{ id: examId, questionCount: 2, totalTimeS: 210, offlineStart: false }] },
    });

    const consent = await call('candidateConsent', { examId, accepted: true });
    expect(consent).toMatchObject({ ok: true });
    const { sessionId } = (consent as { value: { sessionId: string } }).value;
    await call('candidateSystemCheck', {
      sessionId,
      camera: { ok: true, label: 'Test camera' },
      microphone: { ok: true, label: 'Test microphone', peakDb: -20 },
      displays: 1,
      cpuProbeMs: 20,
    });
    const begun = await call('candidateBeginInterview', { sessionId });
    expect(begun).toMatchObject({ ok: true, value: { question: { text: `${SECRET} (Sealed online)` } } });
    // Opened in memory only: the file still has no question text outside what the session recorded.
    const cache = store.raw
      .prepare('SELECT definition, sealed FROM cached_exams WHERE id = ?')
      .get(examId) as {
      definition: string;
      sealed: Buffer;
    };
    expect(cache.definition).not.toContain(SECRET);
    expect(Buffer.from(cache.sealed).includes(Buffer.from(SECRET))).toBe(false);
  }, 120_000);

  it('does not open before the exam opens by the server clock: the key is refused, nothing is recorded', async () => {
    const opensAt = new Date(Date.now() + 86_400_000).toISOString();
    const examId = await newExam('Sealed tomorrow', { opensAt });
    const { call, store } = await enrolledDevice(examId);
    const error = refusal(await call('candidateConsent', { examId, accepted: true }));
    expect(error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'not_open' } });
    expect(error.message).toMatch(/has not started yet: it opens at/);
    expect(store.raw.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 0 });
    // The device's own clock does not matter, and the device cannot read the key some other way.
    await expect(
      central.device.query(`SELECT content_key FROM vigil.exam_keys WHERE exam_id = $1`, [examId]),
    ).rejects.toThrow(/permission denied/);
  }, 120_000);

  it('refuses to start from a cache edited on the device and says what to do', async () => {
    const examId = await newExam('Sealed tampered');
    const { call, store } = await enrolledDevice(examId);
    const row = store.raw.prepare('SELECT sealed FROM cached_exams WHERE id = ?').get(examId) as {
      sealed: Buffer;
    };
    const original = Buffer.from(row.sealed);
    const edited = Buffer.from(original);
    edited[40] = edited[40]! ^ 0x01; // one bit of the ciphertext
    store.raw.prepare('UPDATE cached_exams SET sealed = ? WHERE id = ?').run(edited, examId);
    const error = refusal(await call('candidateConsent', { examId, accepted: true }));
    expect(error).toMatchObject({ code: 'INTEGRITY', details: { reason: 'exam_cache_tampered' } });
    expect(error.message).toMatch(/has been altered.*Connect to the internet/);
    expect(store.raw.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 0 });

    // The plain facts are bound to the sealed content too: a shorter-looking exam is refused.
    store.raw.prepare('UPDATE cached_exams SET sealed = ? WHERE id = ?').run(original, examId);
    store.raw
      .prepare(
        `UPDATE cached_exams SET definition = json_set(definition, '$.uploadMode', 'flags_only') WHERE id = ?`,
      )
      .run(examId);
    expect(refusal(await call('candidateConsent', { examId, accepted: true }))).toMatchObject({
      code: 'INTEGRITY',
      details: { reason: 'exam_cache_tampered' },
    });
  }, 120_000);

  it('comes back sealed when online after an upgrade dropped the plaintext cache (local 0305)', async () => {
    const examId = await newExam('Sealed after upgrade');
    const { t, call, store } = await enrolledDevice(examId);
    store.raw.prepare('DELETE FROM cached_exams').run(); // what 0305 leaves
    expect(await call('candidateOverview', {})).toMatchObject({
      ok: true,
      value: { exams: [{ id: examId }] },
    });
    expect(deviceBytes(t).includes(Buffer.from(SECRET))).toBe(false);
    expect(await call('candidateConsent', { examId, accepted: true })).toMatchObject({ ok: true });
  }, 120_000);

  it('starts offline with the proctor’s start code, and not without it or with a wrong one', async () => {
    const offlineExam = await newExam('Sealed offline room');
    const { code } = await admin.issueStartCode(offlineExam);
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const onlineOnly = await newExam('Sealed online only');
    const offline = await enrolledDevice(offlineExam);
    const other = await enrolledDevice(onlineOnly);
    expect(await offline.call('candidateOverview', {})).toMatchObject({
      ok: true,
      value: { exams: [{ id: offlineExam, offlineStart: true, offlineReady: true }] },
    });
    expect(deviceBytes(offline.t).includes(Buffer.from(SECRET))).toBe(false);

    await central.pg.pause();
    try {
      const without = refusal(
        await offline.call('candidateConsent', { examId: offlineExam, accepted: true }),
      );
      expect(without).toMatchObject({ code: 'NOT_READY', details: { reason: 'start_code_required' } });
      expect(without.message).toMatch(/start code your proctor gives out/);
      const wrong = refusal(
        await offline.call('candidateConsent', {
          examId: offlineExam,
          accepted: true,
          startCode: 'AAAA-BBBB-CCCC',
        }),
      );
      expect(wrong).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'wrong_start_code' } });
      expect(offline.store.raw.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 0 });
      // Typed as read out: lower case, no dashes.
      const typed = code.replace(/-/g, ' ').toLowerCase();
      expect(
        await offline.call('candidateConsent', { examId: offlineExam, accepted: true, startCode: typed }),
      ).toMatchObject({ ok: true });
      // An exam without a start code cannot start offline at all.
      expect(
        refusal(await other.call('candidateConsent', { examId: onlineOnly, accepted: true })),
      ).toMatchObject({
        code: 'UNAVAILABLE',
        details: { reason: 'online_start_only' },
      });
    } finally {
      await central.pg.resume();
    }
  }, 180_000);
});
