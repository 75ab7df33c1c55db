// Central schema on a real PostgreSQL 15: the seeds' deletion rules, checks enforced by the database,
// and a catalog audit of the security posture (FORCE RLS everywhere, nothing executable by PUBLIC,
// no BYPASSRLS role, pinned search_path on every SECURITY DEFINER function).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralMigrations } from '../../../migrations/central/index';
import { checkMigrationNames } from '../../../migrations/provider';
import { createExam, createUser } from '../../../src-main/central/admin';
import { startCentral, type CentralFixture } from '../../support/central';

let central: CentralFixture;
beforeAll(async () => {
  central = await startCentral();
});
afterAll(async () => {
  await central?.close();
});

async function asSuperuser<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: central.pg.adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function seedSession(examId: string, candidateId: string) {
  const db = central.owner.db;
  const sessionId = randomUUID();
  await db
    .insertInto('vigil.sessions')
    .values({ id: sessionId, exam_id: examId, candidate_id: candidateId, started_at: new Date() })
    .execute();
  const warningId = randomUUID();
  await db
    .insertInto('vigil.warnings')
    .values({
      id: warningId,
      session_id: sessionId,
      type: 'no_face',
      severity: 'high',
      started_at: new Date(),
      ended_at: null,
      confidence: 0.9,
      snapshot_sha256: null,
    })
    .execute();
  await db
    .insertInto('vigil.questions')
    .values({
      id: randomUUID(),
      session_id: sessionId,
      ordinal: 0,
      text: 'Q',
      time_limit_s: 60,
      asked_at: null,
      answered_at: null,
      answer_text: null,
      answer_audio_sha256: null,
    })
    .execute();
  await db
    .insertInto('vigil.evaluations')
    .values({
      id: randomUUID(),
      session_id: sessionId,
      professionalism: 80,
      subject_knowledge: 70,
      clarity: 90,
      overall: 80,
      evaluator: 'local',
      pdf_sha256: null,
    })
    .execute();
  await db
    .insertInto('vigil.token_usage')
    .values({
      id: randomUUID(),
      user_id: candidateId,
      exam_id: examId,
      session_id: sessionId,
      model: 'm',
      prompt_tokens: 1,
      completion_tokens: 2,
      total_tokens: 3,
      request_type: 'evaluation',
      cost: 0.01,
    })
    .execute();
  return { sessionId, warningId };
}

const count = async (table: string, column: string, value: string) =>
  Number(
    (
      await sql<{
        n: string;
      }>`SELECT count(*) AS n FROM ${sql.table(`vigil.${table}`)} WHERE ${sql.ref(column)} = ${value}`.execute(
        central.owner.db,
      )
    ).rows[0]?.n,
  );

describe('central schema: deletion rules', () => {
  it('deleting a user removes their resumes, job listings and sessions; token usage survives with user null', async () => {
    const db = central.owner.db;
    const userId = await createUser(db, { email: `${randomUUID()}@x.test`, role: 'candidate' });
    const resume = await db
      .insertInto('vigil.resumes')
      .values({ user_id: userId, file_name: 'cv.pdf', blob_sha256: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const job = await db
      .insertInto('vigil.job_listings')
      .values({ user_id: userId, title: 'SRE' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const examId = await createExam(db, {
      title: 'E',
      type: 'GEN',
      difficulty: 3,
      resumeId: resume.id,
      jobListingId: job.id,
    });
    const { sessionId } = await seedSession(examId, userId);
    const usage = await db
      .selectFrom('vigil.token_usage')
      .select('id')
      .where('session_id', '=', sessionId)
      .executeTakeFirstOrThrow();

    await db.deleteFrom('vigil.users').where('id', '=', userId).execute();
    expect(await count('resumes', 'user_id', userId)).toBe(0);
    expect(await count('job_listings', 'user_id', userId)).toBe(0);
    expect(await count('sessions', 'id', sessionId)).toBe(0);
    const survivor = await db
      .selectFrom('vigil.token_usage')
      .selectAll()
      .where('id', '=', usage.id)
      .executeTakeFirstOrThrow();
    expect(survivor).toMatchObject({ user_id: null, session_id: null, exam_id: examId, total_tokens: 3 });
    const exam = await db
      .selectFrom('vigil.exams')
      .select(['resume_id', 'job_listing_id'])
      .where('id', '=', examId)
      .executeTakeFirstOrThrow();
    expect(exam).toEqual({ resume_id: null, job_listing_id: null });
  });

  it('deleting a resume or a job listing sets the exam link to null', async () => {
    const db = central.owner.db;
    const adminId = await createUser(db, { email: `${randomUUID()}@x.test`, role: 'admin' });
    const resume = await db
      .insertInto('vigil.resumes')
      .values({ user_id: adminId, file_name: 'cv.docx', blob_sha256: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const job = await db
      .insertInto('vigil.job_listings')
      .values({ user_id: adminId, title: 'Dev' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const examId = await createExam(db, {
      title: 'E',
      type: 'PER',
      difficulty: 2,
      resumeId: resume.id,
      jobListingId: job.id,
    });
    await db.deleteFrom('vigil.resumes').where('id', '=', resume.id).execute();
    let exam = await db
      .selectFrom('vigil.exams')
      .select(['resume_id', 'job_listing_id'])
      .where('id', '=', examId)
      .executeTakeFirstOrThrow();
    expect(exam).toEqual({ resume_id: null, job_listing_id: job.id });
    await db.deleteFrom('vigil.job_listings').where('id', '=', job.id).execute();
    exam = await db
      .selectFrom('vigil.exams')
      .select(['resume_id', 'job_listing_id'])
      .where('id', '=', examId)
      .executeTakeFirstOrThrow();
    expect(exam).toEqual({ resume_id: null, job_listing_id: null });
  });

  it('deleting a session removes its warnings, questions and evaluation (and reviews of its warnings)', async () => {
    const db = central.owner.db;
    const userId = await createUser(db, { email: `${randomUUID()}@x.test`, role: 'candidate' });
    const examId = await createExam(db, { title: 'E', type: 'FIN', difficulty: 9 });
    const { sessionId, warningId } = await seedSession(examId, userId);
    await db
      .insertInto('vigil.reviews')
      .values({ warning_id: warningId, reviewer_id: null, verdict: 'confirmed' })
      .execute();
    await db.deleteFrom('vigil.sessions').where('id', '=', sessionId).execute();
    for (const table of ['warnings', 'questions', 'evaluations'])
      expect(await count(table, 'session_id', sessionId)).toBe(0);
    expect(await count('reviews', 'warning_id', warningId)).toBe(0);
    expect(await count('token_usage', 'exam_id', examId)).toBe(1);
  });

  it('the database enforces exam type, difficulty 1–10, upload mode and score ranges', async () => {
    const db = central.owner.db;
    await expect(createExam(db, { title: 'E', type: 'SKL', difficulty: 11 })).rejects.toThrow(
      /check constraint/,
    );
    await expect(createExam(db, { title: 'E', type: 'SKL', difficulty: 0 })).rejects.toThrow(
      /check constraint/,
    );
    await expect(createExam(db, { title: 'E', type: 'XXX' as 'SKL', difficulty: 5 })).rejects.toThrow(
      /check constraint/,
    );
    await expect(
      createExam(db, { title: 'E', type: 'SKL', difficulty: 5, uploadMode: 'some' as 'full' }),
    ).rejects.toThrow(/check constraint/);
    const userId = await createUser(db, { email: `${randomUUID()}@x.test`, role: 'candidate' });
    const examId = await createExam(db, { title: 'E', type: 'SKL', difficulty: 5 });
    const { sessionId } = await seedSession(examId, userId);
    await expect(
      db.updateTable('vigil.evaluations').set({ overall: 101 }).where('session_id', '=', sessionId).execute(),
    ).rejects.toThrow(/check constraint/);
  });
});

describe('central schema: catalog audit', () => {
  it('has well-formed migration names', () => {
    expect(checkMigrationNames(centralMigrations)).toEqual([]);
  });

  it('every table in schema vigil has row-level security enabled and FORCEd', async () => {
    const rows = await asSuperuser(
      async (c) =>
        (
          await c.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
            `SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class
         WHERE relnamespace = 'vigil'::regnamespace AND relkind IN ('r', 'p') ORDER BY relname`,
          )
        ).rows,
    );
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(rows.filter((r) => !r.relrowsecurity || !r.relforcerowsecurity)).toEqual([]);
  });

  it('no function in schema vigil is executable by PUBLIC, and definer functions pin search_path', async () => {
    const rows = await asSuperuser(
      async (c) =>
        (
          await c.query<{ name: string; public_exec: boolean; definer: boolean; config: string[] | null }>(
            `SELECT p.oid::regprocedure::text AS name, has_function_privilege('public', p.oid, 'EXECUTE') AS public_exec,
                p.prosecdef AS definer, p.proconfig AS config
         FROM pg_proc p WHERE p.pronamespace = 'vigil'::regnamespace`,
          )
        ).rows,
    );
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.filter((r) => r.public_exec).map((r) => r.name)).toEqual([]);
    const unpinned = rows.filter(
      (r) => r.definer && !(r.config ?? []).some((c) => c.startsWith('search_path=pg_catalog')),
    );
    expect(unpinned.map((r) => r.name)).toEqual([]);
  });

  it('no role besides the superuser has BYPASSRLS, and vigil_device holds no table privilege', async () => {
    const bypass = await asSuperuser(
      async (c) =>
        (
          await c.query<{ rolname: string }>(
            `SELECT rolname FROM pg_roles WHERE rolbypassrls AND NOT rolsuper`,
          )
        ).rows,
    );
    expect(bypass).toEqual([]);
    const grants = await asSuperuser(
      async (c) =>
        (
          await c.query<{ table_name: string }>(
            `SELECT table_name, privilege_type FROM information_schema.role_table_grants
         WHERE grantee IN ('vigil_device', 'PUBLIC') AND table_schema = 'vigil'`,
          )
        ).rows,
    );
    expect(grants).toEqual([]);
    const executable = await asSuperuser(async (c) =>
      (
        await c.query<{ name: string }>(
          `SELECT p.oid::regprocedure::text AS name FROM pg_proc p
         WHERE p.pronamespace = 'vigil'::regnamespace AND has_function_privilege('vigil_device', p.oid, 'EXECUTE')
         ORDER BY 1`,
        )
      ).rows.map((r) => r.name),
    );
    expect(executable).toEqual([
      'vigil.anchor_chain(text,jsonb)',
      'vigil.blob_begin(text,jsonb)',
      'vigil.blob_chunk(text,uuid,bigint,bytea,text)',
      'vigil.blob_finish(text,uuid)',
      'vigil.device_profile(text)',
      'vigil.fetch_exam(text)',
      'vigil.ingest(text,jsonb)',
      'vigil.redeem_enrollment(text,text)',
      'vigil.release_exam_key(text,uuid)',
    ]);
  });

  it('views run with the reader’s rights (security_invoker)', async () => {
    const rows = await asSuperuser(
      async (c) =>
        (
          await c.query<{ relname: string; reloptions: string[] | null }>(
            `SELECT relname, reloptions FROM pg_class WHERE relnamespace = 'vigil'::regnamespace AND relkind = 'v'`,
          )
        ).rows,
    );
    expect(rows.length).toBe(2);
    for (const row of rows) expect(row.reloptions).toContain('security_invoker=true');
  });
});
