// Many exams on one installation, through the app's contract against a real PostgreSQL: one
// candidate enrolls the same app for exam A and exam B (two codes an administrator made), takes A's
// session online, then B's with the server stopped (the ID check, answers, a focus-loss warning,
// the report). When the server returns, B's rows arrive under exam B and B's device row, and
// A's rows, already there, are exactly what they were: no row of either session crossed over.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { AdminService } from '../../../src-main/admin/admin-service';
import { createEnrollmentCode, createExam, createUser } from '../../../src-main/central/admin';
import { sampleMedia } from '../../../src-main/demo/sample-media';
import { lockdownWarningHub } from '../../../src-main/lockdown/port';
import type { CallName, CallRequest, CallResponse } from '../../../src-preload/contract';
import { createTestApp, type TestApp } from '../../support/app';
import { DEVICE_LOGIN, startCentral, type CentralFixture } from '../../support/central';
import { scenes } from '../../support/proctoring/scenes';

const ctx = { transport: 'host' as const, origin: 'test' };
let central: CentralFixture;
let t: TestApp;
let jpeg: Uint8Array<ArrayBuffer>;

beforeAll(async () => {
  central = await startCentral();
  const encoded = await sharp(await scenes.frontal())
    .resize(320, 240)
    .jpeg()
    .toBuffer();
  jpeg = new Uint8Array(new ArrayBuffer(encoded.length));
  jpeg.set(encoded);
  t = createTestApp('host', {
    VIGIL_CENTRAL_URL: central.pg.urlFor(DEVICE_LOGIN),
    VIGIL_CENTRAL_SSL_MODE: 'disable',
  });
}, 120_000);

afterAll(async () => {
  await t?.app.close();
  t?.cleanup();
  await central?.close();
});

async function call<C extends CallName>(name: C, request: CallRequest<C>): Promise<CallResponse<C>> {
  const result = await t.app.dispatcher.dispatch(name, request, ctx);
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value as CallResponse<C>;
}

/** One whole session of an exam through the contract, as the renderer drives it. */
async function takeSession(examId: string, answer: string, startCode?: string): Promise<string> {
  const { sessionId } = await call('candidateConsent', {
    examId,
    accepted: true,
    ...(startCode ? { startCode } : {}),
  });
  await call('candidateFrame', { sessionId, jpeg, width: 320, height: 240 });
  const check = await call('candidateSystemCheck', {
    sessionId,
    camera: { ok: true, label: 'Test camera' },
    microphone: { ok: true, label: 'Test microphone', peakDb: -20 },
    displays: 1,
    cpuProbeMs: 40,
  });
  expect(check.passed).toBe(true);
  await call('candidateVerifyId', {
    sessionId,
    card: Uint8Array.from(fs.readFileSync(sampleMedia().idCard)),
    live: jpeg,
  });
  let state = await call('candidateBeginInterview', { sessionId });
  await call('candidateFrame', { sessionId, jpeg, width: 320, height: 240 });
  const endedAt = new Date();
  lockdownWarningHub.emit({
    type: 'focus_lost',
    severity: 'medium',
    startedAt: new Date(endedAt.getTime() - 2000).toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: 2000,
    confidence: 1,
    detector: 'lockdown',
    details: { source: 'window blur' },
  });
  while (state.question) {
    state = await call('candidateSubmitAnswer', {
      sessionId,
      questionId: state.question.id,
      text: `${answer} (question ${state.question.index + 1})`,
    });
  }
  expect(state.done).toBe(true);
  await call('candidateFinish', { sessionId });
  return sessionId;
}

/** The report is made and, with `sent`, nothing is left to send (else: something is). */
async function settled(sessionId: string, sent: boolean): Promise<void> {
  await expect
    .poll(
      async () => {
        const p = await call('candidateFinishProgress', { sessionId });
        return {
          report: p.items.find((i) => i.id === 'report')?.state,
          sent: p.upload.pendingItems === 0,
        };
      },
      { timeout: 240_000, interval: 500 },
    )
    .toEqual({ report: 'done', sent });
}

/** Everything central holds of a session, with the exam and device row each part is filed under. */
async function centralRows(sessionId: string) {
  const q = central.owner.query.bind(central.owner);
  const [session] = await q<{ exam_id: string; device_id: string; status: string; chain_seq: number }>(
    `SELECT exam_id, device_id, status, chain_seq FROM vigil.sessions WHERE id = $1`,
    [sessionId],
  );
  const events = await q<{ seq: number; kind: string; hash: string }>(
    `SELECT seq, kind, encode(hash, 'hex') AS hash FROM vigil.events WHERE session_id = $1 ORDER BY seq`,
    [sessionId],
  );
  const warnings = await q<{ id: string; type: string; snapshot: string | null }>(
    `SELECT id, type, encode(snapshot_sha256, 'hex') AS snapshot FROM vigil.warnings
     WHERE session_id = $1 ORDER BY id`,
    [sessionId],
  );
  const answers = await q<{ ordinal: number; answer_text: string | null }>(
    `SELECT ordinal, answer_text FROM vigil.questions WHERE session_id = $1 ORDER BY ordinal`,
    [sessionId],
  );
  const blobs = await q<{ kind: string; sha256: string; device_id: string; done: boolean }>(
    `SELECT kind, encode(sha256, 'hex') AS sha256, device_id, completed_at IS NOT NULL AS done
     FROM vigil.blobs WHERE session_id = $1 ORDER BY kind, sha256`,
    [sessionId],
  );
  return { session, events, warnings, answers, blobs };
}

describe('two exams on one installation, one of them taken offline', () => {
  it("files each session's events, warnings, answers and blobs under its own exam and device row", async () => {
    // The administrator's side: one candidate, two exams, a code for each.
    const db = central.owner.db;
    const candidateId = await createUser(db, {
      email: 'grace@candidates.test',
      role: 'candidate',
      displayName: 'Grace Example',
    });
    const examIds: string[] = [];
    const codes: string[] = [];
    for (const title of ['Exam A (online)', 'Exam B (offline)']) {
      const examId = await createExam(db, {
        title,
        type: 'SKL',
        difficulty: 4,
        keyQuestions: [
          { question: `${title}: first question`, time_limit_s: 120 },
          { question: `${title}: second question`, time_limit_s: 120 },
        ],
      });
      examIds.push(examId);
      codes.push((await createEnrollmentCode(db, { candidateId, examId })).code);
    }
    const [examA, examB] = examIds as [string, string];
    // B starts with the server stopped: the proctor's start code opens it (issued before enrollment).
    const { code: startCodeB } = await new AdminService(central.owner.query).issueStartCode(examB);

    // Both codes on the same app: the second adds exam B next to A.
    const first = await call('candidateEnroll', { code: codes[0]! });
    expect(first.exams.map((e) => e.id)).toEqual([examA]);
    const both = await call('candidateEnroll', { code: codes[1]! });
    expect(both.exams.map((e) => [e.id, e.state])).toEqual([
      [examA, 'ready'],
      [examB, 'ready'],
    ]);
    const store = await t.app.context.candidate.store();
    const enrollments = store.raw
      .prepare(`SELECT exam_id, device_id, token_file FROM enrollments ORDER BY enrolled_at`)
      .all() as { exam_id: string; device_id: string; token_file: string }[];
    expect(enrollments.map((e) => e.exam_id)).toEqual([examA, examB]);
    const [deviceA, deviceB] = enrollments.map((e) => e.device_id) as [string, string];
    expect(deviceA).not.toBe(deviceB);
    expect(new Set(enrollments.map((e) => e.token_file)).size).toBe(2);

    // Exam A online, to the end of its uploads.
    const sessionA = await takeSession(examA, 'Answer for exam A');
    await settled(sessionA, true);
    const aBefore = await centralRows(sessionA);

    // Exam B with the server stopped: everything waits on the device, under exam B.
    await central.pg.pause();
    let sessionB: string;
    try {
      sessionB = await takeSession(examB, 'Answer for exam B', startCodeB);
      await settled(sessionB, false);
      // Queued under B's enrollment only (A's data went before the server stopped).
      const queued = store.raw
        .prepare(`SELECT device_id, count(*) AS n FROM outbox WHERE status = 'pending' GROUP BY device_id`)
        .all() as { device_id: string | null; n: number }[];
      expect(queued.map((r) => r.device_id)).toEqual([deviceB]);
      // A's finish screen counts only what A is sent with: nothing of A waits.
      const progressA = await call('candidateFinishProgress', { sessionId: sessionA });
      expect(progressA.upload).toMatchObject({ pendingItems: 0, heldReason: null });
      const overview = await call('candidateOverview', {});
      expect(overview.exams.map((e) => [e.id, e.state])).toEqual([
        [examA, 'finished'],
        [examB, 'finished'],
      ]);
    } finally {
      await central.pg.resume();
    }
    await settled(sessionB, true);

    // A is exactly as it was; B is filed under exam B and B's device row only.
    const aAfter = await centralRows(sessionA);
    expect(aAfter).toEqual(aBefore);
    const b = await centralRows(sessionB);
    for (const [rows, examId, deviceId, text] of [
      [aAfter, examA, deviceA, 'Answer for exam A'],
      [b, examB, deviceB, 'Answer for exam B'],
    ] as const) {
      expect(rows.session).toMatchObject({ exam_id: examId, device_id: deviceId, status: 'completed' });
      expect(rows.events.length).toBe(rows.session!.chain_seq);
      expect(rows.events.map((e) => e.kind)).toContain('report_generated');
      expect(rows.warnings.map((w) => w.type)).toContain('focus_lost');
      expect(rows.answers.map((a) => a.answer_text)).toEqual([
        `${text} (question 1)`,
        `${text} (question 2)`,
      ]);
      expect(rows.blobs.map((x) => x.kind)).toEqual(expect.arrayContaining(['id_image', 'pdf']));
      for (const blob of rows.blobs) expect(blob).toMatchObject({ device_id: deviceId, done: true });
    }
    // Nothing of either session anywhere else: every session of these devices is its own exam's.
    const crossed = await central.owner.query<{ n: string }>(
      `SELECT count(*) AS n FROM vigil.sessions s JOIN vigil.devices d ON d.id = s.device_id
       WHERE d.id IN ($1, $2) AND s.exam_id <> d.exam_id`,
      [deviceA, deviceB],
    );
    expect(Number(crossed[0]!.n)).toBe(0);
    const perDevice = await central.owner.query<{ device_id: string; sessions: string }>(
      `SELECT device_id, count(*) AS sessions FROM vigil.sessions WHERE device_id IN ($1, $2)
       GROUP BY device_id`,
      [deviceA, deviceB],
    );
    expect(Object.fromEntries(perDevice.map((r) => [r.device_id, Number(r.sessions)]))).toEqual({
      [deviceA]: 1,
      [deviceB]: 1,
    });

    // A's enrollment runs out: the list says so and no new session of A starts (it could not be sent).
    store.raw
      .prepare('UPDATE enrollments SET expires_at = ? WHERE device_id = ?')
      .run(new Date(Date.now() - 1000).toISOString(), deviceA);
    const later = await call('candidateOverview', {});
    expect(later.exams.map((e) => [e.id, e.state])).toEqual([
      [examA, 'expired'],
      [examB, 'finished'],
    ]);
    const refused = await t.app.dispatcher.dispatch(
      'candidateConsent',
      { examId: examA, accepted: true },
      ctx,
    );
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('NOT_READY');
      expect(refused.error.message).toMatch(/expired.*Enroll another exam/);
    }
  }, 600_000);
});
