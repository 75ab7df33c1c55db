// Time comes from the server for everything a proctor or an admin writes (issue 18 item 6): a
// proctor's own login can INSERT a verdict or a decision with any `created_at`, so a verdict dated
// next year would stay "the latest" whatever the proctor decides afterwards. Migration 0430 stamps
// those rows, audit rows included, with the server's clock and keeps the stamp on UPDATE.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type CentralStore } from '../../../src-main/central/connect';
import { migrateCentral } from '../../../src-main/central/migrate';
import { ReviewService } from '../../../src-main/review/review-service';
import { startPostgres, type PostgresCluster } from '../../support/postgres';
import { PASSWORD, seedConsole, type Seed } from '../../support/review/seed';

let cluster: PostgresCluster;
let owner: CentralStore;
let asA: CentralStore;
let asAdmin: CentralStore;
let seed: Seed;

beforeAll(async () => {
  cluster = await startPostgres();
  owner = openPostgres({ url: cluster.url, sslMode: 'disable' });
  await migrateCentral(owner.db as never);
  seed = await seedConsole(owner.query);
  asA = openPostgres({ url: cluster.urlFor('proctor_a', PASSWORD), sslMode: 'disable' });
  asAdmin = openPostgres({ url: cluster.urlFor('admin_al', PASSWORD), sslMode: 'disable' });
}, 60_000);

afterAll(async () => {
  for (const s of [asA, asAdmin, owner]) await s?.close();
  await cluster?.stop();
});

const FUTURE = '2999-01-01T00:00:00Z';
const PAST = '2000-01-01T00:00:00Z';
const sessionOfA = () => seed.sessions.find((s) => s.examId === seed.examA && s.warningIds.length > 0)!;
const serverNow = async () => (await owner.query<{ now: Date }>(`SELECT clock_timestamp() AS now`))[0]!.now;

describe('a proctor or admin cannot choose the time of what they write', () => {
  it('a verdict dated in the future does not outlive the proctor’s later verdict', async () => {
    const session = sessionOfA();
    const warningId = session.warningIds[0]!;
    const review = new ReviewService(asA.query);
    const before = await serverNow();
    await asA.query(
      `INSERT INTO vigil.reviews (warning_id, reviewer_id, verdict, comment, created_at)
       VALUES ($1, $2, 'dismissed', 'pinned', $3)`,
      [warningId, seed.proctorA, FUTURE],
    );
    await review.reviewWarning({ warningId, verdict: 'confirmed', comment: 'second look' });
    const loaded = await review.load(session.id);
    const warning = loaded.warnings.find((w) => w.id === warningId)!;
    expect(warning.myVerdict).toBe('confirmed');
    const rows = await owner.query<{ comment: string; created_at: Date }>(
      `SELECT comment, created_at FROM vigil.reviews WHERE warning_id = $1 ORDER BY created_at`,
      [warningId],
    );
    expect(rows.map((r) => r.comment)).toEqual(['pinned', 'second look']);
    const after = await serverNow();
    for (const r of rows) {
      expect(r.created_at.getTime()).toBeGreaterThanOrEqual(before.getTime());
      expect(r.created_at.getTime()).toBeLessThanOrEqual(after.getTime());
    }
    // Editing the stamp afterwards keeps the server's (an admin can UPDATE reviews).
    await asAdmin.query(`UPDATE vigil.reviews SET created_at = $1 WHERE warning_id = $2`, [
      FUTURE,
      warningId,
    ]);
    const kept = await owner.query<{ created_at: Date }>(
      `SELECT created_at FROM vigil.reviews WHERE warning_id = $1 ORDER BY created_at`,
      [warningId],
    );
    expect(kept.map((r) => r.created_at.getTime())).toEqual(rows.map((r) => r.created_at.getTime()));
  });

  it('the latest decision is the one decided last, whatever date a client wrote', async () => {
    const session = sessionOfA();
    const review = new ReviewService(asA.query);
    await asA.query(
      `INSERT INTO vigil.session_decisions (session_id, decided_by, decision, reason, created_at)
       VALUES ($1, $2, 'cleared', 'pinned', $3)`,
      [session.id, seed.proctorA, FUTURE],
    );
    await review.decide({ sessionId: session.id, decision: 'invalidated', note: 'phone on the desk' });
    const loaded = await review.load(session.id);
    expect(loaded.decision).toMatchObject({ decision: 'invalidated', note: 'phone on the desk' });
    expect(new Date(loaded.decision!.at).getFullYear()).toBeLessThan(2999);
  });

  it('an audit row carries the server’s time and the login that wrote it', async () => {
    const [admin] = await owner.query<{ id: string }>(
      `SELECT id FROM vigil.users WHERE pg_role = 'admin_al'`,
    );
    const before = await serverNow();
    const [row] = await asAdmin.query<{ at: Date; actor_role: string; actor_user_id: string }>(
      `INSERT INTO vigil.audit_log (at, actor_role, actor_user_id, action, target_table)
       VALUES ($1, 'postgres', $2, 'note', 'sessions') RETURNING at, actor_role, actor_user_id`,
      [PAST, seed.proctorA],
    );
    expect(row!.at.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(row!.actor_role).toBe('admin_al');
    expect(row!.actor_user_id).toBe(admin!.id);
  });

  it('an admin cannot backdate an exam, and a settings change is stamped when it happens', async () => {
    const [exam] = await owner.query<{ created_at: Date }>(
      `SELECT created_at FROM vigil.exams WHERE id = $1`,
      [seed.examA],
    );
    await asAdmin.query(`UPDATE vigil.exams SET created_at = $1 WHERE id = $2`, [PAST, seed.examA]);
    const [after] = await owner.query<{ created_at: Date }>(
      `SELECT created_at FROM vigil.exams WHERE id = $1`,
      [seed.examA],
    );
    expect(after!.created_at.getTime()).toBe(exam!.created_at.getTime());
    const before = await serverNow();
    const [settings] = await asAdmin.query<{ updated_at: Date }>(
      `UPDATE vigil.central_settings SET max_blob_bytes = max_blob_bytes, updated_at = $1 RETURNING updated_at`,
      [PAST],
    );
    expect(settings!.updated_at.getTime()).toBeGreaterThanOrEqual(before.getTime());
  });
});
