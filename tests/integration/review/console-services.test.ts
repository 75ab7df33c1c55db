// Review and admin services on a real PostgreSQL: row-level security keeps a proctor to their
// exams (service, raw SQL with their own login), verdicts and decisions are audited before → after
// and ask the central worker for the report (made from central rows, not on the console), CSV export neutralises formulas, purge and erasure delete exactly what
// their receipts say.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminService, LIST_COLUMNS } from '../../../src-main/admin/admin-service';
import { RetentionService, verifyReceipt } from '../../../src-main/admin/retention';
import { openPostgres, type CentralStore } from '../../../src-main/central/connect';
import { migrateCentral } from '../../../src-main/central/migrate';
import { ReviewService } from '../../../src-main/review/review-service';
import { makeCentralReport } from '../../../src-main/worker/make-report';
import { makeTempDir } from '../../support/app';
import { pdfText } from '../../support/pdf-tools';
import { startPostgres, type PostgresCluster } from '../../support/postgres';
import { PASSWORD, seedConsole, type Seed } from '../../support/review/seed';

let cluster: PostgresCluster;
let owner: CentralStore;
let asA: CentralStore;
let asB: CentralStore;
let asAdmin: CentralStore;
let seed: Seed;
let dir: string;

beforeAll(async () => {
  cluster = await startPostgres();
  owner = openPostgres({ url: cluster.url, sslMode: 'disable' });
  await migrateCentral(owner.db as never);
  seed = await seedConsole(owner.query);
  asA = openPostgres({ url: cluster.urlFor('proctor_a', PASSWORD), sslMode: 'disable' });
  asB = openPostgres({ url: cluster.urlFor('proctor_b', PASSWORD), sslMode: 'disable' });
  asAdmin = openPostgres({ url: cluster.urlFor('admin_al', PASSWORD), sslMode: 'disable' });
  dir = makeTempDir('vigil-review-');
}, 60_000);

afterAll(async () => {
  for (const s of [asA, asB, asAdmin, owner]) await s?.close();
  await cluster?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const examASessions = () => seed.sessions.filter((s) => s.examId === seed.examA);
const examBSessions = () => seed.sessions.filter((s) => s.examId === seed.examB);

describe('a proctor assigned to exam A never sees exam B', () => {
  it('through the review service', async () => {
    const review = new ReviewService(asA.query);
    const page = await review.queue({});
    expect(page.rows.map((r) => r.sessionId)).toEqual(
      examASessions()
        .sort((a, b) => b.risk - a.risk)
        .map((s) => s.id),
    );
    expect(page.rows[0]!.flags).toEqual([
      { type: 'looking_away', count: 2 },
      { type: 'multiple_faces', count: 1 },
    ]);
    await expect(review.load(examBSessions()[0]!.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(review.queue({ examId: seed.examB })).resolves.toEqual({ rows: [], nextCursor: null });
    await expect(
      review.reviewWarning({ warningId: examBSessions()[0]!.warningIds[0]!, verdict: 'dismissed' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      review.decide({ sessionId: examBSessions()[0]!.id, decision: 'cleared' }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('through raw SQL with their own login', async () => {
    const b = examBSessions()[0]!;
    const count = async (text: string, params: unknown[] = []) =>
      Number((await asA.query<{ n: string }>(text, params))[0]!.n);
    expect(await count(`SELECT count(*) AS n FROM vigil.sessions WHERE exam_id = $1`, [seed.examB])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM vigil.exams`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM vigil.warnings WHERE session_id = $1`, [b.id])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM vigil.users WHERE id = $1`, [b.candidateId])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM vigil.blobs WHERE session_id = $1`, [b.id])).toBe(0);
    // Writing a verdict on exam B's warning is refused by the policy, not just hidden.
    await expect(
      asA.query(`INSERT INTO vigil.reviews (warning_id, reviewer_id, verdict) VALUES ($1, $2, 'dismissed')`, [
        b.warningIds[0],
        seed.proctorA,
      ]),
    ).rejects.toThrow(/row-level security/);
    await expect(asA.query(`SELECT * FROM vigil.audit_log`)).rejects.toThrow(/permission denied/);
    await expect(asA.query(`SELECT code_hash FROM vigil.enrollments`)).rejects.toThrow(/permission denied/);
    await expect(asA.query(`SELECT * FROM vigil.search_candidate_ids('proctor_b', '%')`)).resolves.toEqual(
      [],
    ); // another proctor's name buys nothing: membership is checked
    expect(
      (await asA.query<{ id: string }>(`SELECT vigil.search_candidate_ids(current_user, '%Bexam%') AS id`))
        .length,
    ).toBe(0);
    await expect(asA.query(`UPDATE vigil.sessions SET risk_score = 0`)).rejects.toThrow(/permission denied/);
    // Proctor B sees exactly their own.
    expect((await new ReviewService(asB.query).queue({})).rows.map((r) => r.examId)).toEqual([
      seed.examB,
      seed.examB,
    ]);
  });
});

describe('queue filters and keyset paging', () => {
  it('pages through every session once, in risk order', async () => {
    const review = new ReviewService(asAdmin.query);
    const seen: number[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await review.queue({ limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.rows.map((r) => r.riskScore ?? -1));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([95, 82, 55, 30, 10]);
  });

  it('filters by exam, date, status, warning type, review state and candidate', async () => {
    const review = new ReviewService(asAdmin.query);
    const ids = async (f: Parameters<ReviewService['queue']>[0]) =>
      (await review.queue(f)).rows.map((r) => r.riskScore);
    expect(await ids({ examId: seed.examB })).toEqual([95, 30]);
    expect(await ids({ warningType: 'focus_lost' })).toEqual([95, 30]);
    expect(await ids({ from: new Date(Date.now() - 5 * 86_400_000).toISOString() })).toEqual([55, 30, 10]);
    expect(await ids({ status: 'abandoned' })).toEqual([]);
    expect(await ids({ search: 'carol' })).toEqual([10]);
    expect(await ids({ search: '%' })).toEqual([]);
    expect(await ids({ reviewState: 'pending' })).toHaveLength(5);
    await expect(review.queue({ cursor: 'garbage' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('verdicts and decisions', () => {
  it('are audited before → after and ask the central worker for the report with the verdicts', async () => {
    const review = new ReviewService(asA.query);
    const s = examASessions()[0]!;
    await owner.query(`DELETE FROM vigil.worker_requests`);
    await review.reviewWarning({
      warningId: s.warningIds[0]!,
      verdict: 'confirmed',
      comment: 'looked at notes',
    });
    await review.reviewWarning({
      warningId: s.warningIds[0]!,
      verdict: 'dismissed',
      comment: 'was thinking',
    });
    await review.reviewWarning({ warningId: s.warningIds[1]!, verdict: 'confirmed' });
    await review.decide({ sessionId: s.id, decision: 'invalidated', note: 'second person seen' });
    // Three verdicts and a decision: one request for the session's report, raised in their transactions.
    expect(
      await owner.query(`SELECT session_id, kind FROM vigil.worker_requests WHERE kind = 'report'`),
    ).toEqual([{ session_id: s.id, kind: 'report' }]);

    const audit = await owner.query<{
      action: string;
      actor_role: string;
      actor_user_id: string;
      at: Date;
      details: Record<string, unknown>;
    }>(
      `SELECT action, actor_role, actor_user_id, at, details FROM vigil.audit_log
       WHERE action IN ('review_warning', 'decide_session') ORDER BY id`,
    );
    expect(audit).toHaveLength(4);
    expect(audit.every((a) => a.actor_role === 'proctor_a' && a.actor_user_id === seed.proctorA)).toBe(true);
    expect(audit[0]!.details).toMatchObject({
      before: null,
      after: { verdict: 'confirmed', comment: 'looked at notes' },
    });
    expect(audit[1]!.details).toMatchObject({
      before: { verdict: 'confirmed', comment: 'looked at notes' },
      after: { verdict: 'dismissed', comment: 'was thinking' },
    });
    expect(audit[3]).toMatchObject({
      action: 'decide_session',
      details: { before: null, after: { decision: 'invalidated', note: 'second person seen' } },
    });

    const loaded = await review.load(s.id);
    expect(loaded.warnings.map((w) => w.myVerdict)).toEqual(['dismissed', 'confirmed', null]);
    expect(loaded.decision).toMatchObject({
      decision: 'invalidated',
      note: 'second person seen',
      by: 'Proctor Ada',
    });
    expect(loaded.idVerification.status).toBe('verified');
    expect(loaded.answers[0]).toMatchObject({
      question: 'Explain closures',
      answer: 'A function with its scope',
    });
    expect(loaded.evaluation).toMatchObject({ overall: 76 });
    expect(loaded.timeline[0]).toMatchObject({ kind: 'session_started', offsetS: 0 });
    expect(loaded.warnings[0]!.offsetS).toBe(60);

    // The console rendered nothing: no version until the worker's job makes one from central rows.
    expect(loaded.latestReport).toBeNull();
    const made = await makeCentralReport({
      db: owner.db,
      sessionId: s.id,
      workerId: 'test-worker',
      jobId: null,
    });
    expect(made).toMatchObject({ outcome: 'filed', version: 1, reason: 'decision' });
    const latest = (await review.load(s.id)).latestReport!;
    expect(latest).toMatchObject({ version: 1, filedBy: 'worker', madeBy: 'test-worker', uploaded: true });
    const pdfParts: Buffer[] = [];
    for await (const part of (await review.blob(latest.sha256)).read()) pdfParts.push(part);
    const file = path.join(dir, 'central-report.pdf');
    fs.writeFileSync(file, Buffer.concat(pdfParts));
    const text = await pdfText(file);
    expect(text).toContain('Session invalidated');
    expect(text).toContain('Dismissed');
    expect(text).toContain('Confirmed');
    // Nothing changed since: a second run files nothing.
    expect(
      await makeCentralReport({ db: owner.db, sessionId: s.id, workerId: 'test-worker', jobId: null }),
    ).toEqual({ outcome: 'unchanged' });

    // The blob a proctor sees is the snapshot byte for byte.
    const blob = await review.blob(loaded.warnings[0]!.snapshotSha256!);
    const parts: Buffer[] = [];
    for await (const part of blob.read()) parts.push(part);
    expect(Buffer.concat(parts).equals(seed.snapshot.bytes)).toBe(true);
    expect(blob.size).toBe(seed.snapshot.bytes.length);
  }, 60_000);

  it('shows inter-proctor agreement', async () => {
    const s = examASessions()[0]!;
    await new AdminService(owner.query).assignProctor(seed.examA, seed.proctorB);
    try {
      await new ReviewService(asB.query).reviewWarning({ warningId: s.warningIds[1]!, verdict: 'confirmed' });
      await new ReviewService(asB.query).reviewWarning({ warningId: s.warningIds[0]!, verdict: 'confirmed' });
      const loaded = await new ReviewService(asA.query).load(s.id);
      expect(loaded.warnings.map((w) => w.agreement)).toEqual(['disagree', 'agree', null]);
      expect(loaded.agreementRate).toBe(0.5);
    } finally {
      await new AdminService(owner.query).unassignProctor(seed.examA, seed.proctorB);
    }
  });
});

describe('admin', () => {
  it('exports lists as CSV with formula cells neutralised and the expected columns', async () => {
    const admin = new AdminService(asAdmin.query);
    const csv = await admin.exportCsv('sessions');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(LIST_COLUMNS.sessions.join(','));
    expect(lines).toHaveLength(6);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(csv).not.toMatch(/(^|,)"?=HYPERLINK/m);
    const users = await admin.exportCsv('users', { search: 'HYPERLINK' });
    expect(users.split('\r\n')[1]).toMatch(/,"'=HYPERLINK/);

    const codes = await admin.createEnrollments({
      examId: seed.examA,
      candidates: [
        { email: 'new1@example.org', name: '@SUM(A1:A9)' },
        { email: 'new2@example.org', name: '-2+3' },
      ],
    });
    expect(codes).toHaveLength(2);
    const merge = AdminService.mailMergeCsv('Exam A', codes);
    expect(merge.split('\r\n')[0]).toBe('email,name,exam,code,expires_at');
    expect(merge).toContain(`'@SUM(A1:A9)`);
    expect(merge).toContain(`'-2+3`);
    await admin.revokeEnrollment(codes[0]!.enrollmentId);
    expect((await admin.list('enrollments', { kind: 'expired' })).map((r) => r.candidate_email)).toEqual([
      'new1@example.org',
    ]);
    const audit = await owner.query<{ action: string; actor_user_id: string }>(
      `SELECT action, actor_user_id FROM vigil.audit_log WHERE action IN ('create_enrollments', 'revoke_enrollment') ORDER BY id`,
    );
    expect(audit).toEqual([
      { action: 'create_enrollments', actor_user_id: seed.admin },
      { action: 'revoke_enrollment', actor_user_id: seed.admin },
    ]);
  });

  it('keeps exams with accommodation profiles and a proctor cannot administer', async () => {
    const admin = new AdminService(asAdmin.query);
    const id = await admin.saveExam({
      title: 'Accommodated',
      type: 'FIN',
      difficulty: 9,
      accommodationProfiles: [{ name: 'extra time', extraTimePercent: 50 }],
      retentionDays: 7,
      uploadMode: 'flags_only',
      policy: { fps: 2 },
    });
    expect(await admin.getExam(id)).toMatchObject({
      accommodation_profiles: [{ name: 'extra time', extraTimePercent: 50 }],
      retention_days: 7,
      upload_mode: 'flags_only',
      policy: { fps: 2 },
    });
    await expect(
      new AdminService(asA.query).saveExam({ title: 'x', type: 'GEN', difficulty: 1 }),
    ).rejects.toThrow(/permission denied|row-level security/);
  });
});

describe('retention and erasure', () => {
  it('purge removes exactly the sessions past retention (rows and folders); dry run removes nothing', async () => {
    const retention = new RetentionService(owner.db as never, { sessionDirs: [path.join(dir, 'reports')] });
    for (const s of seed.sessions) {
      fs.mkdirSync(path.join(dir, 'reports', s.id), { recursive: true });
      fs.writeFileSync(path.join(dir, 'reports', s.id, 'marker.txt'), s.id);
    }
    const before = await owner.query<{ n: string }>(`SELECT count(*) AS n FROM vigil.warnings`);
    const dry = await retention.purge({ dryRun: true });
    // Exam A keeps 30 days: its 40-day-old session goes; exam B keeps 365 days: nothing goes.
    const old = examASessions()[0]!;
    expect(dry.sessions.map((s) => s.id)).toEqual([old.id]);
    expect(dry.rows).toMatchObject({
      sessions: 1,
      warnings: 3,
      // Its snapshot and the central report the worker filed above.
      blobs: 2,
      blob_chunks: 2,
      evaluations: 1,
      questions: 1,
      events: 1,
    });
    expect(dry.rows.reviews).toBeGreaterThan(0);
    expect(await owner.query(`SELECT id FROM vigil.sessions WHERE id = $1`, [old.id])).toHaveLength(1);
    expect(fs.existsSync(path.join(dir, 'reports', old.id))).toBe(true);

    const real = await retention.purge({ dryRun: false });
    expect(verifyReceipt(real)).toBe(true);
    const central = { ...real.subject, receiptId: null };
    expect({ ...real, at: '', sha256: '', dryRun: true, subject: central }).toEqual({
      ...dry,
      at: '',
      sha256: '',
    });
    // The same receipt is stored centrally (the worker's schedule writes its receipts there too).
    const [stored] = await owner.query<{
      kind: string;
      sessions: { id: string }[];
      rows: { warnings: number };
    }>(`SELECT kind, sessions, rows FROM vigil.retention_receipts WHERE id = $1`, [real.subject.receiptId]);
    expect(stored).toMatchObject({ kind: 'purge', sessions: [{ id: old.id }], rows: { warnings: 3 } });
    expect(await owner.query(`SELECT id FROM vigil.sessions WHERE id = $1`, [old.id])).toHaveLength(0);
    const after = await owner.query<{ n: string }>(`SELECT count(*) AS n FROM vigil.warnings`);
    expect(Number(before[0]!.n) - Number(after[0]!.n)).toBe(3);
    expect(fs.existsSync(path.join(dir, 'reports', old.id))).toBe(false);
    for (const s of seed.sessions.filter((x) => x.id !== old.id)) {
      expect(fs.existsSync(path.join(dir, 'reports', s.id, 'marker.txt'))).toBe(true);
    }
    expect((await retention.purge({ dryRun: true })).sessions).toEqual([]);
  });

  it('exports a candidate archive and erases them, and nothing else', async () => {
    const retention = new RetentionService(owner.db as never, { sessionDirs: [path.join(dir, 'reports')] });
    const victim = examBSessions()[0]!;
    await owner.query(
      `INSERT INTO vigil.token_usage (id, user_id, exam_id, session_id, model, prompt_tokens, completion_tokens, total_tokens, request_type, cost)
       VALUES (gen_random_uuid(), $1, $2, $3, 'gpt-test', 10, 5, 15, 'evaluation', 0.01)`,
      [victim.candidateId, victim.examId, victim.id],
    );
    const exported = await retention.exportCandidate(victim.candidateId);
    const tarFile = path.join(dir, 'export.tar');
    fs.writeFileSync(tarFile, exported.archive);
    const listing = execFileSync('tar', ['-tf', tarFile], { encoding: 'utf8' }).trim().split('\n');
    expect(listing).toEqual(exported.entries);
    expect(listing).toContain('data.json');
    expect(listing.some((n) => n.startsWith('blobs/snapshot-'))).toBe(true);
    expect(listing.some((n) => n.endsWith('marker.txt'))).toBe(true);
    const data = JSON.parse(execFileSync('tar', ['-xOf', tarFile, 'data.json'], { encoding: 'utf8' })) as {
      sessions: { id: string }[];
      warnings: unknown[];
    };
    expect(data.sessions.map((s) => s.id)).toEqual([victim.id]);
    expect(data.warnings).toHaveLength(2);

    const totals = async () =>
      (
        await owner.query<{ t: string; n: string }>(
          `SELECT 'sessions' AS t, count(*) AS n FROM vigil.sessions UNION ALL SELECT 'warnings', count(*) FROM vigil.warnings
         UNION ALL SELECT 'users', count(*) FROM vigil.users UNION ALL SELECT 'token_usage', count(*) FROM vigil.token_usage`,
        )
      ).reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.t]: Number(r.n) }), {});
    const before = await totals();
    const receipt = await retention.eraseCandidate(victim.candidateId);
    expect(verifyReceipt(receipt)).toBe(true);
    expect(receipt.rows).toMatchObject({ users: 1, sessions: 1, warnings: 2, token_usage_anonymised: 1 });
    expect(receipt.files.map((f) => path.basename(f.path))).toEqual(['marker.txt']);
    const after = await totals();
    expect(after).toEqual({
      ...before,
      sessions: before.sessions! - 1,
      warnings: before.warnings! - 2,
      users: before.users! - 1,
    });
    const usage = await owner.query<{ user_id: string | null; session_id: string | null }>(
      `SELECT user_id, session_id FROM vigil.token_usage`,
    );
    expect(usage).toEqual([{ user_id: null, session_id: null }]);
    expect(fs.existsSync(path.join(dir, 'reports', victim.id))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'reports', examBSessions()[1]!.id, 'marker.txt'))).toBe(true);
    expect(
      await owner.query(`SELECT 1 FROM vigil.audit_log WHERE action = 'erase_candidate' AND target_id = $1`, [
        victim.candidateId,
      ]),
    ).toHaveLength(1);
  });
});
