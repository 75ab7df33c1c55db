// A device that upgrades while a session is still finishing (old finish_state, an evaluation_jobs
// row with attempts, a spoken answer awaiting its transcript) keeps that work: migration 0302 turns
// it into jobs, and the runner runs the upload and the transcription before the evaluation.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localMigrations } from '../../../migrations/local/index';
import { JobRunner } from '../../../src-main/store/job-runner';
import { jobsFor } from '../../../src-main/store/jobs';
import { migrateLocal, openLocalStore } from '../../../src-main/store/local-store';
import { makeTempDir } from '../../support/temp-dir';

const temp = makeTempDir();
afterAll(() => temp.cleanup());

describe('upgrade with a session still finishing', () => {
  it('carries finish_state, evaluation_jobs and pending transcripts into ordered jobs', async () => {
    const store = await openLocalStore(path.join(temp.dir, 'upgrade.db'), { migrate: false });
    try {
      const {
        '0004_jobs': _jobs,
        '0302_after_session_into_jobs': carry,
        '0303_purge_jobs_drop_legacy': _drop,
        '0305_sealed_exam_cache': _sealed,
        ...before
      } = localMigrations;
      expect(carry).toBeDefined();
      await migrateLocal(store.kysely, before);
      const at = new Date().toISOString();
      const finishing = randomUUID();
      const reported = randomUUID();
      const db = store.raw;
      const progress = db.prepare(
        `INSERT INTO candidate_progress (session_id, exam_id, stage, consented_at, recording_id, finish_state, updated_at)
         VALUES (?, 'exam', 'finish', ?, ?, ?, ?)`,
      );
      progress.run(
        finishing,
        at,
        'rec-1',
        '{"recording":"done","evaluation":"queued_offline","report":"working"}',
        at,
      );
      progress.run(reported, at, null, '{"recording":"done","evaluation":"done","report":"done"}', at);
      db.prepare(
        `INSERT INTO evaluation_jobs (session_id, status, attempts, next_attempt_at, last_error, created_at, updated_at)
         VALUES (?, 'queued', 2, 0, 'provider unreachable', ?, ?)`,
      ).run(finishing, at, at);
      const question = randomUUID();
      db.prepare(
        `INSERT INTO questions (id, session_id, seq, text, time_limit_s, source) VALUES (?, ?, 1, 'Why?', 60, 'admin')`,
      ).run(question, finishing);
      db.prepare(
        `INSERT INTO answers (question_id, session_id, audio_path, transcription_status, updated_at)
         VALUES (?, ?, '/a.webm', 'pending', ?)`,
      ).run(question, finishing, at);

      // A finished session of a cached 30-day exam, from before the purge was a job.
      db.prepare(`INSERT INTO cached_exams (id, definition, fetched_at) VALUES ('exam', ?, ?)`).run(
        JSON.stringify({ id: 'exam', retentionDays: 30 }),
        at,
      );
      db.prepare(
        `INSERT INTO sessions (id, exam_id, status, started_at, ended_at) VALUES (?, 'exam', 'completed', ?, ?)`,
      ).run(reported, '2026-11-01T09:00:00.000Z', '2026-11-01T10:00:00.000Z');

      expect(await migrateLocal(store.kysely)).toEqual([
        '0004_jobs',
        '0302_after_session_into_jobs',
        '0303_purge_jobs_drop_legacy',
        '0305_sealed_exam_cache',
      ]);
      // 0303: the session's purge is due 30 days after its end; the tables the jobs replaced are gone.
      expect(jobsFor(store, reported)).toMatchObject([
        { kind: 'local_purge', status: 'queued', nextAttemptAt: Date.parse('2026-12-01T10:00:00.000Z') },
      ]);
      expect(
        db.prepare(`SELECT name FROM sqlite_master WHERE name = 'evaluation_jobs'`).get(),
      ).toBeUndefined();
      const columns = db.prepare(`PRAGMA table_info(candidate_progress)`).all() as { name: string }[];
      expect(columns.map((c) => c.name)).not.toContain('finish_state');

      const jobs = jobsFor(store, finishing);
      expect(jobs.map((j) => j.kind).sort()).toEqual(['evaluation', 'recording_upload', 'transcription']);
      const evaluation = jobs.find((j) => j.kind === 'evaluation')!;
      expect(evaluation).toMatchObject({ status: 'queued', attempts: 2 });
      expect(evaluation.lastError?.message).toBe('provider unreachable');
      expect(jobs.find((j) => j.kind === 'recording_upload')!.payload).toEqual({ recordingId: 'rec-1' });
      // A session whose report was made before the upgrade has nothing left to do but its purge.
      expect(jobsFor(store, reported).map((j) => j.kind)).toEqual(['local_purge']);

      const ran: string[] = [];
      const runner = new JobRunner({ store });
      runner.register('evaluation', async () => {
        ran.push('evaluation');
        return {};
      });
      runner.register('recording_upload', async () => {
        ran.push('recording_upload');
        return {};
      });
      runner.register('transcription', async () => {
        ran.push('transcription');
        return {};
      });
      runner.start();
      await runner.drain();
      await runner.stop();
      expect(ran.at(-1)).toBe('evaluation');
      expect(ran.sort()).toEqual(['evaluation', 'recording_upload', 'transcription']);
      expect(jobsFor(store, finishing).every((j) => j.status === 'done')).toBe(true);
      expect(jobsFor(store, reported).map((j) => j.status)).toEqual(['queued']);
    } finally {
      await store.close();
    }
  });
});
