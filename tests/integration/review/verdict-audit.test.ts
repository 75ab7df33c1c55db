// Exactly one audit_log row per verdict or decision change (migration 0102), with who, what, when and
// before → after; and proof that the check can fail: with 0102 rolled back (0004's raw-row trigger
// beside 0100's before → after trigger) the same change writes two rows.
import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralMigrations } from '../../../migrations/central/index';
import { StaticMigrationProvider } from '../../../migrations/provider';
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

interface AuditRow {
  at: Date;
  actor_role: string;
  actor_user_id: string | null;
  action: string;
  target_table: string;
  target_id: string;
  details: Record<string, unknown>;
}

const lastAuditId = async () =>
  Number((await owner.query<{ id: string | null }>(`SELECT max(id) AS id FROM vigil.audit_log`))[0]?.id ?? 0);

/** Every audit row written by `change`, whatever its action. */
async function auditOf(change: () => Promise<unknown>): Promise<AuditRow[]> {
  const from = await lastAuditId();
  const before = new Date();
  await change();
  const rows = await owner.query<AuditRow>(
    `SELECT at, actor_role, actor_user_id, action, target_table, target_id, details
     FROM vigil.audit_log WHERE id > $1 ORDER BY id`,
    [from],
  );
  for (const row of rows) expect(row.at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
  return rows;
}

const examA = () => seed.sessions.filter((s) => s.examId === seed.examA);

describe('verdict and decision audit', () => {
  it('writes exactly one row per change: who, what, when, before → after', async () => {
    const review = new ReviewService(asA.query);
    const s = examA()[0]!;
    const warningId = s.warningIds[0]!;

    const first = await auditOf(() =>
      review.reviewWarning({ warningId, verdict: 'confirmed', comment: 'a' }),
    );
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      actor_role: 'proctor_a',
      actor_user_id: seed.proctorA,
      action: 'review_warning',
      target_table: 'warnings',
      target_id: warningId,
      details: { op: 'insert', before: null, after: { verdict: 'confirmed', comment: 'a' } },
    });

    const second = await auditOf(() =>
      review.reviewWarning({ warningId, verdict: 'dismissed', comment: 'b' }),
    );
    expect(second).toHaveLength(1);
    expect(second[0]!.details).toMatchObject({
      before: { verdict: 'confirmed', comment: 'a' },
      after: { verdict: 'dismissed', comment: 'b' },
    });

    const decided = await auditOf(() => review.decide({ sessionId: s.id, decision: 'flagged', note: 'n1' }));
    expect(decided).toHaveLength(1);
    expect(decided[0]).toMatchObject({
      actor_role: 'proctor_a',
      actor_user_id: seed.proctorA,
      action: 'decide_session',
      target_table: 'sessions',
      target_id: s.id,
      details: { op: 'insert', before: null, after: { decision: 'flagged', note: 'n1' } },
    });
    const redecided = await auditOf(() =>
      review.decide({ sessionId: s.id, decision: 'cleared', note: 'n2' }),
    );
    expect(redecided).toHaveLength(1);
    expect(redecided[0]!.details).toMatchObject({
      before: { decision: 'flagged', note: 'n1' },
      after: { decision: 'cleared', note: 'n2' },
    });

    // An admin correcting a stored verdict is a change too: one row, the admin as actor, old → new.
    const corrected = await auditOf(() =>
      asAdmin.query(
        `UPDATE vigil.reviews SET comment = 'typo fixed' WHERE warning_id = $1 AND comment = 'b'`,
        [warningId],
      ),
    );
    expect(corrected).toHaveLength(1);
    expect(corrected[0]).toMatchObject({
      actor_role: 'admin_al',
      actor_user_id: seed.admin,
      action: 'review_warning',
      details: {
        op: 'update',
        before: { verdict: 'dismissed', comment: 'b' },
        after: { verdict: 'dismissed', comment: 'typo fixed' },
      },
    });
  });

  it('wrote two rows per change before 0102 (the overlap this migration removes)', async () => {
    const migrator = new Migrator({
      db: owner.db,
      provider: new StaticMigrationProvider(centralMigrations),
      migrationTableSchema: 'vigil_migrations',
    });
    const names = Object.keys(centralMigrations);
    const back = await migrator.migrateTo(names[names.indexOf('0102_single_verdict_audit') - 1]!);
    expect(back.error).toBeUndefined();
    try {
      const review = new ReviewService(asA.query);
      const rows = await auditOf(() =>
        review.reviewWarning({ warningId: examA()[0]!.warningIds[1]!, verdict: 'confirmed' }),
      );
      expect(rows.map((r) => r.action).sort()).toEqual(['insert', 'review_warning']);
    } finally {
      const forward = await migrator.migrateToLatest();
      expect(forward.error).toBeUndefined();
    }
    const review = new ReviewService(asA.query);
    const rows = await auditOf(() =>
      review.reviewWarning({ warningId: examA()[0]!.warningIds[1]!, verdict: 'dismissed' }),
    );
    expect(rows).toHaveLength(1);
  });
});
