// Who can do what on a real PostgreSQL 15: device tokens (only the ingest functions, only their own
// sessions and blobs, refused when unknown, revoked or expired, SQL as data is inert), one-time
// enrollment codes, and proctors who see only the exams assigned to them through any table or view.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDeviceLogin,
  createEnrollmentCode,
  createUser,
  revokeDevice,
} from '../../../src-main/central/admin';
import { openPostgres, type CentralStore } from '../../../src-main/central/connect';
import { VigilError } from '../../../src-main/errors';
import { openSealed } from '../../../src-main/security/exam-seal';
import { startCentral, type CentralFixture, type EnrolledTestDevice } from '../../support/central';
import { chainedEvents, sessionStart, sha256Hex, warningItem } from '../../support/items';

let central: CentralFixture;
beforeAll(async () => {
  central = await startCentral();
});
afterAll(async () => {
  await central?.close();
});

async function relations(): Promise<string[]> {
  const rows = await sql<{ name: string }>`SELECT c.relname AS name FROM pg_class c
    WHERE c.relnamespace = 'vigil'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p') ORDER BY 1`.execute(
    central.owner.db,
  );
  return rows.rows.map((r) => r.name);
}

async function expectRefused(promise: Promise<unknown>, code: string, pattern?: RegExp): Promise<VigilError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VigilError);
  expect((error as VigilError).code).toBe(code);
  if (pattern) expect((error as VigilError).message).toMatch(pattern);
  return error as VigilError;
}

describe('device tokens', () => {
  let a: EnrolledTestDevice;
  let b: EnrolledTestDevice;
  let sessionB: string;
  const blobData = Buffer.from('blob of device B');
  const blobB = randomUUID();

  beforeAll(async () => {
    a = await central.enroll();
    b = await central.enroll(a.examId);
    await central.channel.ingest(a.token, [sessionStart()]);
    sessionB = randomUUID();
    const receipts = await central.channel.ingest(b.token, [
      sessionStart(sessionB),
      ...chainedEvents(sessionB, 3).items,
      warningItem(sessionB),
    ]);
    expect(receipts.every((r) => r.status === 'applied')).toBe(true);
    await central.channel.blobBegin(b.token, {
      id: blobB,
      sessionId: sessionB,
      kind: 'snapshot',
      sha256: sha256Hex(blobData),
      size: blobData.length,
      contentType: 'image/jpeg',
    });
  });

  it('the device login cannot read or write any table, nor call internal functions', async () => {
    const names = await relations();
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) {
      await expect(central.device.query(`SELECT * FROM vigil.${name} LIMIT 1`)).rejects.toMatchObject({
        code: '42501',
      });
    }
    await expect(
      central.device.query(`INSERT INTO vigil.users(role, email) VALUES ('admin', 'x@y.z')`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(central.device.query(`SELECT vigil.device_auth($1)`, [a.token])).rejects.toMatchObject({
      code: '42501',
    });
    await expect(central.device.query(`SELECT vigil.visible_exam_ids('x')`)).rejects.toMatchObject({
      code: '42501',
    });
  });

  it("device A cannot write into device B's session", async () => {
    const hostile = [
      { ...sessionStart(sessionB), key: 'hijack-start' },
      { ...chainedEvents(sessionB, 1, 4).items[0]!, key: 'hijack-event' },
      { ...warningItem(sessionB), key: 'hijack-warning' },
      {
        key: 'hijack-update',
        kind: 'session.update',
        payload: { id: sessionB, status: 'terminated', riskScore: 100 },
      },
      {
        key: 'hijack-eval',
        kind: 'evaluation',
        payload: {
          id: randomUUID(),
          sessionId: sessionB,
          professionalism: 1,
          subjectKnowledge: 1,
          clarity: 1,
          overall: 1,
          evaluator: 'x',
        },
      },
    ];
    const receipts = await central.channel.ingest(a.token, hostile);
    expect(receipts.map((r) => r.status)).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
    for (const r of receipts) expect(r.reason).toMatch(/not open on this device/);
    const session = await central.owner.db
      .selectFrom('vigil.sessions')
      .selectAll()
      .where('id', '=', sessionB)
      .executeTakeFirstOrThrow();
    expect(session).toMatchObject({
      device_id: b.deviceId,
      status: 'in_progress',
      risk_score: null,
      chain_seq: 3,
      max_seq: 3,
    });
    const warnings = await central.owner.db
      .selectFrom('vigil.warnings')
      .select('id')
      .where('session_id', '=', sessionB)
      .execute();
    expect(warnings).toHaveLength(1);
  });

  it('device A cannot add to, finish or restart a blob device B started', async () => {
    await expectRefused(
      central.channel.blobChunk(a.token, blobB, 0, blobData, sha256Hex(blobData)),
      'FORBIDDEN',
      /not started by this device/,
    );
    await expectRefused(
      central.channel.blobFinish(a.token, blobB),
      'FORBIDDEN',
      /not started by this device/,
    );
    await expectRefused(
      central.channel.blobBegin(a.token, {
        id: blobB,
        sessionId: sessionB,
        kind: 'snapshot',
        sha256: sha256Hex(blobData),
        size: blobData.length,
        contentType: 'image/jpeg',
      }),
      'FORBIDDEN',
    );
    const blob = await central.owner.db
      .selectFrom('vigil.blobs')
      .select(['received', 'status'])
      .where('id', '=', blobB)
      .executeTakeFirstOrThrow();
    expect(blob).toEqual({ received: '0', status: 'uploading' });
  });

  it('unknown, revoked and expired tokens are refused', async () => {
    const unknown = await expectRefused(
      central.channel.ingest('f'.repeat(64), [sessionStart()]),
      'FORBIDDEN',
    );
    expect(unknown.details?.reason).toBe('unknown');
    const c = await central.enroll(a.examId);
    await revokeDevice(central.owner.db, c.deviceId);
    expect(
      (await expectRefused(central.channel.ingest(c.token, [sessionStart()]), 'FORBIDDEN')).details?.reason,
    ).toBe('revoked');
    expect((await expectRefused(central.channel.fetchExam(c.token), 'FORBIDDEN')).details?.reason).toBe(
      'revoked',
    );
    const d = await central.enroll(a.examId);
    await central.owner.db
      .updateTable('vigil.devices')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', d.deviceId)
      .execute();
    expect(
      (await expectRefused(central.channel.ingest(d.token, [sessionStart()]), 'FORBIDDEN')).details?.reason,
    ).toBe('expired');
  });

  it('enrollment codes are one-time and expire', async () => {
    const candidateId = await createUser(central.owner.db, {
      email: `${randomUUID()}@x.test`,
      role: 'candidate',
    });
    const { code } = await createEnrollmentCode(central.owner.db, { candidateId, examId: a.examId });
    const first = await central.channel.redeem(code.toLowerCase().replace(/-/g, ' '), 'laptop');
    expect(first).toMatchObject({ candidateId, examId: a.examId });
    expect(first.token).toMatch(/^[0-9a-f]{64}$/);
    // Used and expired get the one answer an unknown code gets (migration 0500).
    expect((await expectRefused(central.channel.redeem(code, 'again'), 'FORBIDDEN')).details?.reason).toBe(
      'refused',
    );
    const expired = await createEnrollmentCode(central.owner.db, {
      candidateId,
      examId: a.examId,
      ttlMinutes: -1,
    });
    expect(
      (await expectRefused(central.channel.redeem(expired.code, 'late'), 'FORBIDDEN')).details?.reason,
    ).toBe('refused');
    const exam = await central.channel.fetchExam(first.token);
    // The facts are plain; the questions come sealed (opened with release_exam_key at the start).
    expect(exam).toMatchObject({
      id: a.examId,
      type: 'SKL',
      difficulty: 5,
      questionCount: 1,
      totalTimeS: 60,
    });
    expect(JSON.stringify(exam)).not.toContain('Why?');
    const { key } = await central.channel.releaseExamKey(first.token, a.examId);
    expect(openSealed(Buffer.from((exam as { sealed: string }).sealed, 'base64'), key)).toMatchObject({
      keyQuestions: [{ question: 'Why?', time_limit_s: 60 }],
    });
    const stored = await central.owner.db
      .selectFrom('vigil.devices')
      .select('token_hash')
      .where('id', '=', first.deviceId)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash.toString('hex')).not.toContain(first.token);
  });

  it('SQL passed as data does nothing', async () => {
    const evil = "x'); DROP TABLE vigil.events; SELECT ('";
    await expectRefused(
      central.channel.ingest(`' OR 1=1 --${'x'.repeat(40)}`, [sessionStart()]),
      'FORBIDDEN',
    );
    await expectRefused(central.channel.redeem(`' OR '1'='1`, evil), 'FORBIDDEN');
    const sessionId = randomUUID();
    const receipts = await central.channel.ingest(a.token, [
      sessionStart(sessionId),
      { ...warningItem(sessionId, evil), key: evil },
      { key: 'evil-kind', kind: evil, payload: {} },
    ]);
    expect(receipts.map((r) => r.status)).toEqual(['applied', 'applied', 'rejected']);
    const stored = await central.owner.db
      .selectFrom('vigil.warnings')
      .select('type')
      .where('session_id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(stored.type).toBe(evil);
    expect(await relations()).toContain('events');
  });
});

describe('proctors', () => {
  it('a proctor of exam A sees nothing of exam B, through any table or view', async () => {
    // Practice exams evaluated on the device, so each device files an evaluation to hide.
    const practice = { practice: true, evaluation: 'device' };
    const examA = await central.createExam('Exam A', practice);
    const examB = await central.createExam('Exam B', practice);
    const proctorA = await central.createProctor('proctor_a', [examA]);
    const proctorB = await central.createProctor('proctor_b', [examB]);
    const fill = async (examId: string) => {
      const device = await central.enroll(examId);
      const sessionId = randomUUID();
      const questionId = randomUUID();
      const receipts = await central.channel.ingest(device.token, [
        sessionStart(sessionId),
        ...chainedEvents(sessionId, 2).items,
        warningItem(sessionId),
        {
          key: `q:${questionId}`,
          kind: 'question',
          payload: { id: questionId, sessionId, ordinal: 0, text: 'Q?', timeLimitS: 60 },
        },
        {
          key: `m:${questionId}`,
          kind: 'message',
          payload: {
            id: randomUUID(),
            sessionId,
            questionId,
            role: 'candidate',
            content: 'A.',
            createdAt: new Date().toISOString(),
          },
        },
        {
          key: `e:${sessionId}`,
          kind: 'evaluation',
          payload: {
            id: randomUUID(),
            sessionId,
            professionalism: 70,
            subjectKnowledge: 60,
            clarity: 80,
            overall: 70,
            evaluator: 'local',
          },
        },
        {
          key: `t:${sessionId}`,
          kind: 'token_usage',
          payload: {
            id: randomUUID(),
            sessionId,
            model: 'm',
            promptTokens: 1,
            completionTokens: 1,
            totalTokens: 2,
            requestType: 'evaluation',
            cost: 0.5,
          },
        },
      ]);
      expect(receipts.filter((r) => r.status !== 'applied')).toEqual([]);
      const data = Buffer.from(`snapshot of ${examId}`);
      const blobId = randomUUID();
      await central.channel.blobBegin(device.token, {
        id: blobId,
        sessionId,
        kind: 'snapshot',
        sha256: sha256Hex(data),
        size: data.length,
        contentType: 'image/jpeg',
      });
      await central.channel.blobChunk(device.token, blobId, 0, data, sha256Hex(data));
      await central.channel.blobFinish(device.token, blobId);
      return { device, sessionId };
    };
    const a = await fill(examA);
    const b = await fill(examB);
    const warningB = await central.owner.db
      .selectFrom('vigil.warnings')
      .select('id')
      .where('session_id', '=', b.sessionId)
      .executeTakeFirstOrThrow();
    await proctorB.store.db
      .insertInto('vigil.reviews')
      .values({ warning_id: warningB.id, reviewer_id: proctorB.userId, verdict: 'confirmed' })
      .execute();
    await proctorB.store.db
      .insertInto('vigil.session_decisions')
      .values({ session_id: b.sessionId, decided_by: proctorB.userId, decision: 'fail' })
      .execute();

    const secrets = [
      examB,
      b.sessionId,
      b.device.candidateId,
      b.device.deviceId,
      proctorB.userId,
      'Exam B',
      'proctor_b',
    ];
    const seen = async (store: CentralStore) => {
      const out: Record<string, string> = {};
      for (const name of await relations()) {
        try {
          const rows = await store.query(`SELECT row_to_json(t)::text AS j FROM vigil.${name} t`);
          out[name] = rows.map((r) => String(r.j)).join('\n');
        } catch (error) {
          expect((error as { code?: string }).code).toBe('42501'); // no privilege at all: sees nothing
          out[name] = '';
        }
      }
      return out;
    };
    const visible = await seen(proctorA.store);
    for (const [name, text] of Object.entries(visible)) {
      for (const secret of secrets) expect(text.includes(secret), `${name} leaks ${secret}`).toBe(false);
    }
    // …while seeing its own exam, so the check above is not vacuous.
    for (const name of [
      'exams',
      'sessions',
      'events',
      'warnings',
      'questions',
      'messages',
      'evaluations',
      'token_usage',
      'blobs',
      'blob_chunks',
      'token_usage_by_exam',
    ]) {
      expect(visible[name]?.length, name).toBeGreaterThan(0);
    }
    expect(visible.sessions).toContain(a.sessionId);
    // The definer helper answers only for roles the caller's login holds.
    expect(await proctorA.store.query(`SELECT vigil.visible_exam_ids('proctor_b') AS id`)).toEqual([]);
    // Writing a review or decision on exam B is refused by row-level security.
    await expect(
      proctorA.store.db
        .insertInto('vigil.reviews')
        .values({ warning_id: warningB.id, reviewer_id: proctorA.userId, verdict: 'dismissed' })
        .execute(),
    ).rejects.toThrow(/row-level security/);
    await expect(
      proctorA.store.db
        .insertInto('vigil.session_decisions')
        .values({ session_id: b.sessionId, decided_by: proctorA.userId, decision: 'pass' })
        .execute(),
    ).rejects.toThrow(/row-level security/);
    // Nor may a proctor change evidence.
    await expect(proctorA.store.query(`UPDATE vigil.sessions SET risk_score = 0`)).rejects.toMatchObject({
      code: '42501',
    });
    // B's review and decision leave exactly one audit row each (migration 0102), the refused ones none.
    const audit = await central.owner.db
      .selectFrom('vigil.audit_log')
      .select(['action', 'actor_role', 'target_table'])
      .where('action', 'in', ['insert', 'update', 'decide_session', 'review_warning'])
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { action: 'review_warning', actor_role: 'proctor_b', target_table: 'warnings' },
      { action: 'decide_session', actor_role: 'proctor_b', target_table: 'sessions' },
    ]);
  });

  it('a device login carries its own statement timeout: a long statement is cancelled', async () => {
    await createDeviceLogin(central.owner.db, {
      roleName: 'device_short',
      password: 'pw',
      statementTimeoutMs: 200,
    });
    const short = openPostgres({ url: central.pg.urlFor('device_short'), sslMode: 'disable' });
    try {
      await expect(short.query('SELECT pg_sleep(3)')).rejects.toMatchObject({ code: '57014' });
    } finally {
      await short.close();
    }
    // The shared fixture login got the default the same way (group role settings are not inherited).
    const settings = await sql<{ setconfig: string[] }>`SELECT s.setconfig FROM pg_db_role_setting s
      JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = 'vigil_device_login'`.execute(central.owner.db);
    expect(settings.rows[0]?.setconfig).toContain('statement_timeout=15000ms');
  });
});
