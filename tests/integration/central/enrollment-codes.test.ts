// Enrollment codes against guessing (issue #19, item 11), on a real PostgreSQL: a caller without a
// token gets one answer for unknown, used, expired and locked codes; wrong guesses are limited per
// code and per client address; codes are stored salted and peppered (the pepper unreadable to admins
// and devices); a code lives at most 14 days. Codes issued before migration 0500 still work.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminService } from '../../../src-main/admin/admin-service';
import {
  createEnrollmentCode,
  createStaffLogin,
  createUser,
  hashEnrollmentCode,
} from '../../../src-main/central/admin';
import { openPostgres, type CentralStore } from '../../../src-main/central/connect';
import { VigilError } from '../../../src-main/errors';
import { startCentral, type CentralFixture } from '../../support/central';

let central: CentralFixture;
let examId: string;
beforeAll(async () => {
  central = await startCentral();
  examId = await central.createExam('Codes');
}, 120_000);
afterAll(async () => {
  await central?.close();
});

async function newCode(ttlMinutes?: number): Promise<{ code: string; candidateId: string }> {
  const candidateId = await createUser(central.owner.db, {
    email: `${randomUUID()}@x.test`,
    role: 'candidate',
  });
  const { code } = await createEnrollmentCode(central.owner.db, {
    candidateId,
    examId,
    ...(ttlMinutes === undefined ? {} : { ttlMinutes }),
  });
  return { code, candidateId };
}

async function refusal(code: string): Promise<{ message: string; details: unknown }> {
  const error = await central.channel.redeem(code, 'probe').then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VigilError);
  expect((error as VigilError).code).toBe('FORBIDDEN');
  return { message: (error as VigilError).message, details: (error as VigilError).details };
}

/** Flips one character of the secret part (after the four-character lookup). */
const wrongSecret = (code: string) => {
  const last = code.at(-1) === '0' ? '1' : '0';
  return `${code.slice(0, -1)}${last}`;
};

const clearAttempts = () => central.owner.query(`DELETE FROM vigil.enrollment_attempts`);

describe('enrollment codes', () => {
  it('answers an unknown, used, expired and locked code alike; admins see which it was', async () => {
    const used = await newCode();
    await central.channel.redeem(used.code, 'first');
    const expired = await newCode(-1);
    const locked = await newCode();
    await central.owner.query(`UPDATE vigil.enrollments SET locked_at = now() WHERE candidate_id = $1`, [
      locked.candidateId,
    ]);
    const answers = [
      await refusal('ZZZZ-ZZZZ-ZZZZ'),
      await refusal(used.code),
      await refusal(expired.code),
      await refusal(locked.code),
    ];
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]!.details).toEqual({ reason: 'refused' });
    expect(answers[0]!.message).toMatch(/not accepted.*ask your institution for a new code/);
    const outcomes = await central.owner.query<{ outcome: string }>(
      `SELECT outcome FROM vigil.enrollment_attempts ORDER BY id`,
    );
    expect(outcomes.map((o) => o.outcome)).toEqual(['unknown', 'used', 'expired', 'locked']);
    await clearAttempts();
  });

  it('locks a code after five wrong guesses at its secret, even for the right code afterwards', async () => {
    const target = await newCode();
    for (let i = 0; i < 5; i++) await refusal(wrongSecret(target.code));
    const [row] = await central.owner.query<{ failed_attempts: number; locked: boolean }>(
      `SELECT failed_attempts, locked_at IS NOT NULL AS locked FROM vigil.enrollments WHERE candidate_id = $1`,
      [target.candidateId],
    );
    expect(row).toEqual({ failed_attempts: 5, locked: true });
    expect((await refusal(target.code)).details).toEqual({ reason: 'refused' });
    // Another candidate's code is untouched.
    const other = await newCode();
    await expect(central.channel.redeem(other.code, 'ok')).resolves.toMatchObject({
      candidateId: other.candidateId,
    });
    await clearAttempts();
  });

  it('refuses every attempt from a client address that failed too often lately, then says how long to wait', async () => {
    await central.owner.query(`UPDATE vigil.central_settings SET enroll_max_failures_per_client = 3`);
    try {
      const good = await newCode();
      for (let i = 0; i < 3; i++) await refusal(`QQQQ-QQQQ-QQQ${i}`);
      const throttled = await refusal(good.code);
      expect(throttled.details).toEqual({ reason: 'throttled', retryAfterSeconds: 900 });
      expect(throttled.message).toMatch(/Wait 15 minute/);
      await clearAttempts();
      await expect(central.channel.redeem(good.code, 'later')).resolves.toMatchObject({
        candidateId: good.candidateId,
      });
    } finally {
      await central.owner.query(`UPDATE vigil.central_settings SET enroll_max_failures_per_client = 30`);
      await clearAttempts();
    }
  });

  it('stores codes salted and peppered; only the server functions can read the pepper', async () => {
    const a = await newCode();
    const rows = await central.owner.query<{ code_hash: Buffer; code_salt: Buffer; code_lookup: string }>(
      `SELECT code_hash, code_salt, code_lookup FROM vigil.enrollments WHERE candidate_id = $1`,
      [a.candidateId],
    );
    expect(rows[0]!.code_lookup).toBe(a.code.slice(0, 4));
    expect(rows[0]!.code_salt).toHaveLength(16);
    expect(rows[0]!.code_hash.equals(hashEnrollmentCode(a.code))).toBe(false);
    // An admin issues codes (AdminService) but cannot read the pepper; a device cannot even hash.
    const adminId = await createUser(central.owner.db, { email: 'codes-admin@x.test', role: 'admin' });
    await createStaffLogin(central.owner.db, {
      userId: adminId,
      roleName: 'admin_codes',
      password: 'pw',
      group: 'vigil_admin',
    });
    const asAdmin = openPostgres({ url: central.pg.urlFor('admin_codes'), sslMode: 'disable' });
    stores.push(asAdmin);
    await expect(asAdmin.query(`SELECT pepper FROM vigil.enrollment_pepper`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(
      central.device.query(`SELECT vigil.enrollment_code_hash('AAAA', '\\x00'::bytea)`),
    ).rejects.toThrow(/permission denied/);
    const [issued] = await new AdminService(asAdmin.query).createEnrollments({
      examId,
      candidates: [{ email: `${randomUUID()}@x.test` }],
    });
    await expect(central.channel.redeem(issued!.code, 'admin-issued')).resolves.toMatchObject({ examId });
  });

  it('still redeems a code issued before migration 0500 (plain hash)', async () => {
    const candidateId = await createUser(central.owner.db, {
      email: `${randomUUID()}@x.test`,
      role: 'candidate',
    });
    const code = 'LEGA-CYCO-DE12';
    await central.owner.query(
      `INSERT INTO vigil.enrollments (candidate_id, exam_id, code_hash, expires_at) VALUES ($1, $2, $3, now() + interval '1 hour')`,
      [candidateId, examId, hashEnrollmentCode(code)],
    );
    await expect(central.channel.redeem(code, 'old')).resolves.toMatchObject({ candidateId });
  });

  it('keeps a code valid for at most 14 days', async () => {
    await expect(newCode(15 * 24 * 60)).rejects.toThrow(/at most 14 days/);
    const admin = new AdminService(central.owner.query);
    await expect(
      admin.createEnrollments({
        examId,
        candidates: [{ email: `${randomUUID()}@x.test` }],
        ttlHours: 24 * 15,
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const candidateId = await createUser(central.owner.db, {
      email: `${randomUUID()}@x.test`,
      role: 'candidate',
    });
    await expect(
      central.owner.query(
        `INSERT INTO vigil.enrollments (candidate_id, exam_id, code_hash, expires_at) VALUES ($1, $2, sha256('x'), now() + interval '30 days')`,
        [candidateId, examId],
      ),
    ).rejects.toThrow(/enrollments_ttl_check/);
  });
});

const stores: CentralStore[] = [];
afterAll(async () => {
  for (const store of stores) await store.close();
});
