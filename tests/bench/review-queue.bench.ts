// Proctor console at scale: 100,000 sessions and 1,000,000 warnings in a throwaway PostgreSQL 15
// (generated with set-based SQL), then the risk-ranked queue (first pages, deep keyset pages and
// filters) and the full session review load, timed through the real services on a proctor's own
// login (row-level security on) and on an admin's. EXPLAIN shows which indexes the plans use.
import os from 'node:os';
import pg from 'pg';
import { openPostgres } from '../../src-main/central/connect';
import { migrateCentral } from '../../src-main/central/migrate';
import { buildQueueQuery } from '../../src-main/review/queue-query';
import { ReviewService } from '../../src-main/review/review-service';
import type { QueueFilter } from '../../src-main/review/types';
import { startPostgres } from '../support/postgres';
import { PASSWORD, seedConsole } from '../support/review/seed';
import { percentile, writeBenchResult } from './support/result';

const SESSIONS = 100_000;
const WARNINGS_PER_SESSION = 10;
const EXAMS = 200;
const PROCTOR_EXAMS = 20;
const QUEUE_RUNS = 240;
const LOAD_RUNS = 120;
const TYPES = [
  'no_face',
  'multiple_faces',
  'looking_away',
  'face_mismatch',
  'camera_blocked',
  'speech_detected',
  'focus_lost',
  'display_added',
];

function indexNames(plan: unknown, out = new Set<string>()): Set<string> {
  if (plan && typeof plan === 'object') {
    const node = plan as Record<string, unknown>;
    if (typeof node['Index Name'] === 'string') out.add(`${String(node['Node Type'])}:${node['Index Name']}`);
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) for (const v of value) indexNames(v, out);
      else if (value && typeof value === 'object') indexNames(value, out);
    }
  }
  return out;
}
function seqScans(plan: unknown, out = new Set<string>()): Set<string> {
  if (plan && typeof plan === 'object') {
    const node = plan as Record<string, unknown>;
    if (node['Node Type'] === 'Seq Scan') out.add(String(node['Relation Name']));
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) for (const v of value) seqScans(v, out);
      else if (value && typeof value === 'object') seqScans(value, out);
    }
  }
  return out;
}

/** Bulk load as the superuser: FK and audit triggers off (replica role), secondary indexes rebuilt after. */
async function generate(url: string, adminId: string, proctorId: string): Promise<void> {
  const su = new pg.Client({ connectionString: url });
  await su.connect();
  const q = (text: string, params: unknown[] = []) => su.query(text, params);
  try {
    await q(`SET session_replication_role = replica`);
    await q(`SET statement_timeout = 0`);
    await q(`SET maintenance_work_mem = '256MB'`);
    const { rows: indexes } = await q(
      `SELECT schemaname, indexname, indexdef FROM pg_indexes WHERE schemaname = 'vigil'
       AND tablename IN ('sessions', 'warnings', 'events', 'questions', 'evaluations', 'reviews', 'session_decisions')
       AND indexname NOT LIKE '%_pkey' AND indexdef NOT LIKE 'CREATE UNIQUE%'`,
    );
    for (const i of indexes as { indexname: string }[]) await q(`DROP INDEX vigil.${i.indexname}`);
    await q(`INSERT INTO vigil.exams (title, type, difficulty, retention_days)
             SELECT 'Bench exam ' || g, (ARRAY['GEN','SKL','PER','FIN'])[1 + g % 4], 1 + g % 10, 365
             FROM generate_series(1, ${EXAMS}) g`);
    await q(`INSERT INTO vigil.users (email, display_name, role)
             SELECT 'candidate' || g || '@bench.example', 'Candidate ' || g, 'candidate' FROM generate_series(1, ${SESSIONS / 2}) g`);
    await q(
      `CREATE TEMP TABLE bench_exams AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM vigil.exams WHERE title LIKE 'Bench exam %'`,
    );
    await q(
      `CREATE TEMP TABLE bench_users AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM vigil.users WHERE email LIKE '%@bench.example'`,
    );
    // Each score with the one factor that explains it (the CHECK of migration 0402).
    await q(`INSERT INTO vigil.sessions (id, exam_id, candidate_id, status, started_at, ended_at, risk_score, risk_factors,
                                         id_verification_status, chain_seq)
             SELECT gen_random_uuid(), e.id, u.id,
                    (ARRAY['completed','completed','completed','abandoned','terminated','in_progress'])[1 + g % 6],
                    now() - (g % 365) * interval '1 day' - (g % 1440) * interval '1 minute',
                    now() - (g % 365) * interval '1 day' - (g % 1440) * interval '1 minute' + interval '45 minutes',
                    r.score,
                    CASE WHEN r.score IS NULL THEN NULL ELSE jsonb_build_object('score', r.score, 'chainFactor', 1,
                      'formula', 'bench', 'factors', jsonb_build_array(jsonb_build_object('warningId', gen_random_uuid(),
                      'type', 'no_face', 'startedAt', now(), 'weight', 20, 'durationS', 30, 'confidence', 1,
                      'durationFactor', 1, 'points', r.score))) END,
                    (ARRAY['verified','needs_review','rejected'])[1 + g % 3], 3
             FROM generate_series(0, ${SESSIONS - 1}) g
             CROSS JOIN LATERAL (SELECT CASE WHEN g % 50 = 0 THEN NULL ELSE round((random() * 100)::numeric) END AS score) r
             JOIN bench_exams e ON e.n = g % ${EXAMS}
             JOIN bench_users u ON u.n = g % ${SESSIONS / 2}`);
    await q(
      `CREATE TEMP TABLE bench_sessions AS SELECT s.id, s.started_at FROM vigil.sessions s WHERE s.exam_id IN (SELECT id FROM bench_exams)`,
    );
    await q(`INSERT INTO vigil.warnings (id, session_id, type, severity, started_at, ended_at, confidence, details)
             SELECT gen_random_uuid(), s.id, (ARRAY['${TYPES.join("','")}'])[1 + (k + abs(hashtext(s.id::text))) % ${TYPES.length}],
                    (ARRAY['low','medium','high'])[1 + k % 3], s.started_at + k * interval '2 minutes',
                    s.started_at + k * interval '2 minutes' + interval '8 seconds', 0.5 + (k % 5) / 10.0, '{"detector":"bench"}'
             FROM bench_sessions s CROSS JOIN generate_series(1, ${WARNINGS_PER_SESSION}) k`);
    await q(`INSERT INTO vigil.events (session_id, seq, kind, occurred_at, body, payload, prev_hash, hash, hash_valid)
             SELECT s.id, k, (ARRAY['session_started','question_asked','session_ended'])[k], s.started_at + k * interval '1 minute',
                    '{}', '{}', decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'), true
             FROM bench_sessions s CROSS JOIN generate_series(1, 3) k`);
    await q(`INSERT INTO vigil.questions (id, session_id, ordinal, text, answer_text, asked_at, answered_at)
             SELECT gen_random_uuid(), s.id, k, 'Question ' || k, 'Answer ' || k, s.started_at, s.started_at + interval '3 minutes'
             FROM bench_sessions s CROSS JOIN generate_series(0, 1) k`);
    await q(`INSERT INTO vigil.evaluations (id, session_id, professionalism, subject_knowledge, clarity, overall, evaluator)
             SELECT gen_random_uuid(), s.id, 70, 60, 80, 70, 'local' FROM bench_sessions s`);
    // A tenth of the sessions already decided, one warning in forty reviewed.
    await q(
      `INSERT INTO vigil.session_decisions (session_id, decided_by, decision, reason)
             SELECT s.id, $1, 'cleared', 'bench' FROM bench_sessions s WHERE abs(hashtext(s.id::text)) % 10 = 0`,
      [adminId],
    );
    await q(
      `INSERT INTO vigil.reviews (warning_id, reviewer_id, verdict)
             SELECT w.id, $1, 'dismissed' FROM vigil.warnings w WHERE abs(hashtext(w.id::text)) % 40 = 0`,
      [adminId],
    );
    await q(
      `INSERT INTO vigil.proctor_assignments (exam_id, proctor_id) SELECT id, $1 FROM bench_exams WHERE n < ${PROCTOR_EXAMS}`,
      [proctorId],
    );
    for (const i of indexes as { indexdef: string }[]) await q(i.indexdef);
    await q(`VACUUM ANALYZE`);
  } finally {
    await su.end();
  }
}

async function main(): Promise<void> {
  const cluster = await startPostgres();
  const stop = () => void cluster.stop().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Planner told the OS caches the data (the test server keeps shared_buffers at 32 MB).
  const su = new pg.Client({ connectionString: cluster.adminUrl });
  await su.connect();
  await su.query(`ALTER SYSTEM SET effective_cache_size = '1GB'`);
  await su.query(`ALTER SYSTEM SET statement_timeout = '20s'`);
  await su.query(`SELECT pg_reload_conf()`);
  await su.end();
  const owner = openPostgres({ url: cluster.url, sslMode: 'disable', maxConnections: 2 });
  try {
    await migrateCentral(owner.db as never);
    const seed = await seedConsole(owner.query);
    const t0 = performance.now();
    await generate(cluster.adminUrl, seed.admin, seed.proctorA);
    const generateS = (performance.now() - t0) / 1000;
    if (process.env.REVIEW_BENCH_HOLD) {
      // For plan work by hand: keep the server up until interrupted.
      process.stdout.write(
        `holding: ${cluster.urlFor('proctor_a', PASSWORD)} ${cluster.urlFor('admin_al', PASSWORD)}\n`,
      );
      await new Promise(() => undefined);
    }
    const q = owner.query;
    const [counts] = await q<{ sessions: string; warnings: string }>(
      `SELECT (SELECT count(*) FROM vigil.sessions) AS sessions, (SELECT count(*) FROM vigil.warnings) AS warnings`,
    );
    process.stdout.write(
      `generated ${counts!.sessions} sessions, ${counts!.warnings} warnings in ${generateS.toFixed(1)} s\n`,
    );

    const [firstExam] = await q<{ id: string }>(`SELECT id FROM vigil.exams WHERE title = 'Bench exam 4'`);
    const figures: Record<string, number | string | boolean | null> = {
      sessions: Number(counts!.sessions),
      warnings: Number(counts!.warnings),
      generateSeconds: Number(generateS.toFixed(1)),
      loadAverage1m: Number(os.loadavg()[0]!.toFixed(1)),
    };
    const plans: Record<string, unknown> = {};
    const goals: Record<string, { target: string; met: boolean }> = {};

    for (const who of [
      { key: 'proctor', login: 'proctor_a', note: `${PROCTOR_EXAMS} of ${EXAMS} exams assigned, RLS on` },
      { key: 'admin', login: 'admin_al', note: 'all exams' },
    ]) {
      // As the console connects (see ConsoleSession): JIT off for its short queries.
      const store = openPostgres({
        url: `${cluster.urlFor(who.login, PASSWORD)}?options=-c%20jit%3Doff`,
        sslMode: 'disable',
        maxConnections: 4,
      });
      try {
        const review = new ReviewService(store.query);
        const filters: QueueFilter[] = [
          {},
          { examId: firstExam!.id },
          { warningType: 'multiple_faces' },
          { reviewState: 'pending' },
          { status: 'completed', from: new Date(Date.now() - 90 * 86_400_000).toISOString() },
          { search: 'Candidate 4242' },
        ];
        // Warm-up so the figures are steady-state, as in a running console.
        for (const f of filters) await review.queue(f);
        const queueTimes: number[] = [];
        let cursor: string | null = null;
        let visible: string[] = [];
        for (let i = 0; i < QUEUE_RUNS; i++) {
          // Every third call walks deeper through the unfiltered queue by keyset.
          const deep = i % 3 === 0;
          const filter: QueueFilter = deep ? (cursor ? { cursor } : {}) : filters[i % filters.length]!;
          const start = performance.now();
          const page = await review.queue(filter);
          queueTimes.push(performance.now() - start);
          if (deep) cursor = page.nextCursor;
          if (visible.length < LOAD_RUNS) visible.push(...page.rows.map((r) => r.sessionId));
        }
        visible = [...new Set(visible)].slice(0, LOAD_RUNS);
        const loadTimes: number[] = [];
        for (const id of visible) {
          const start = performance.now();
          const loaded = await review.load(id);
          loadTimes.push(performance.now() - start);
          if (loaded.warnings.length !== WARNINGS_PER_SESSION)
            throw new Error(`session ${id}: ${loaded.warnings.length} warnings`);
        }
        const queueP95 = percentile(queueTimes, 95);
        const loadP95 = percentile(loadTimes, 95);
        Object.assign(figures, {
          [`${who.key}QueueP50Ms`]: Number(percentile(queueTimes, 50).toFixed(2)),
          [`${who.key}QueueP95Ms`]: Number(queueP95.toFixed(2)),
          [`${who.key}LoadP50Ms`]: Number(percentile(loadTimes, 50).toFixed(2)),
          [`${who.key}LoadP95Ms`]: Number(loadP95.toFixed(2)),
          [`${who.key}QueueCalls`]: queueTimes.length,
          [`${who.key}Loads`]: loadTimes.length,
          [`${who.key}Scope`]: who.note,
          [`${who.key}QueueP95PerLimit`]: Number((queueP95 / 100).toFixed(3)),
          [`${who.key}LoadP95PerLimit`]: Number((loadP95 / 200).toFixed(3)),
        });
        goals[`${who.key} queue page p95 ≤ 100 ms`] = { target: '100 ms', met: queueP95 <= 100 };
        goals[`${who.key} session review load p95 ≤ 200 ms`] = { target: '200 ms', met: loadP95 <= 200 };

        const explain = async (name: string, text: string, params: unknown[]) => {
          const [row] = await store.query<{ 'QUERY PLAN': unknown[] }>(
            `EXPLAIN (ANALYZE, FORMAT JSON) ${text}`,
            params,
          );
          const plan = row!['QUERY PLAN'][0] as { Plan: unknown; 'Execution Time': number };
          plans[`${who.key}:${name}`] = {
            indexes: [...indexNames(plan.Plan)].sort(),
            seqScans: [...seqScans(plan.Plan)].sort(),
            executionMs: plan['Execution Time'],
          };
        };
        const first = buildQueueQuery({});
        await explain('queue first page', first.text, first.params);
        const deepQ = buildQueueQuery(cursor ? { cursor } : {});
        await explain('queue deep keyset page', deepQ.text, deepQ.params);
        const byExam = buildQueueQuery({ examId: firstExam!.id });
        await explain('queue by exam', byExam.text, byExam.params);
        const byType = buildQueueQuery({ warningType: 'multiple_faces' });
        await explain('queue by warning type', byType.text, byType.params);
        await explain(
          'review warnings',
          `SELECT id, type, severity, started_at FROM vigil.warnings WHERE session_id = $1 ORDER BY started_at, id`,
          [visible[0]],
        );
        await explain(
          'review verdicts',
          `SELECT DISTINCT ON (r.warning_id, r.reviewer_id) r.* FROM vigil.reviews r JOIN vigil.warnings w ON w.id = r.warning_id
           WHERE w.session_id = $1 ORDER BY r.warning_id, r.reviewer_id, r.created_at DESC`,
          [visible[0]],
        );
      } finally {
        await store.close();
      }
    }
    const result = {
      name: 'review-queue',
      figures,
      goals,
      notes: `Queue: ${QUEUE_RUNS} calls mixing first pages with 6 filter sets and a keyset walk ever deeper into the unfiltered queue (50 rows/page); review load: ${LOAD_RUNS} full session loads (session, 10 warnings with verdicts, events, answers, evaluation, decision). Through ReviewService on pg over loopback; PostgreSQL 15 with shared_buffers=32MB, fsync off, JIT off on the console's connections (as ConsoleSession connects).`,
      /** Index use of each query's plan (EXPLAIN ANALYZE, FORMAT JSON) for both logins. */
      plans,
    };
    writeBenchResult(result);
  } finally {
    await owner.close();
    await cluster.stop();
  }
}

await main();
