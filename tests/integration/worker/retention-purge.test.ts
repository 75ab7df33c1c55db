// Issue 18 item 1 (retention and credentials): a running `vigil worker` purges, on its pg-boss
// schedule, the sessions past their exam's retention and stores the receipt centrally with what
// went; the worker login can only run the purge, never change a receipt. A device whose exam's
// window has closed can still send late items during the grace period, and is then refused by
// device_auth with the reason; the scheduled job marks it expired with a receipt.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import PgBoss from 'pg-boss';
import {
  createEnrollmentCode,
  createExam,
  createStaffLogin,
  createUser,
} from '../../../src-main/central/admin';
import { openPostgres, type CentralStore } from '../../../src-main/central/connect';
import type { IngestItem } from '../../../src-main/central/device-channel';
import { AdminService } from '../../../src-main/admin/admin-service';
import { QUEUES } from '../../../src-main/worker/request-relay';
import type { VigilError } from '../../../src-main/errors';
import { startCentral, type CentralFixture, type EnrolledTestDevice } from '../../support/central';
import {
  fileFinishedSessions,
  spawnWorker,
  stopWorker,
  waitFor,
  type WorkerProcess,
} from '../../support/worker';

let central: CentralFixture;
const workers: WorkerProcess[] = [];
const stores: CentralStore[] = [];

interface ReceiptRow {
  id: string;
  kind: string;
  login: string;
  worker_id: string | null;
  policy: { rule: string; exams: Record<string, unknown>[] };
  sessions: { id: string; examId: string }[];
  devices: { id: string; examId: string }[];
  rows: Record<string, number>;
  blob_bytes: string;
}

const receipts = (kind: string) =>
  central.owner.query<ReceiptRow>(`SELECT * FROM vigil.retention_receipts WHERE kind = $1 ORDER BY id`, [
    kind,
  ]);

/** The scheduled job, sent to its queue now (as pg-boss's timekeeper does on a tick). */
async function triggerRetention(login: string): Promise<void> {
  const boss = new PgBoss({
    connectionString: central.pg.urlFor(login, 'pw'),
    schema: 'vigil_jobs',
    schedule: false,
    supervise: false,
  });
  await boss.start();
  try {
    await boss.send('retention-purge', {});
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}

function sessionStart(id: string, startedAt: Date): IngestItem {
  return {
    key: `session.start:${id}`,
    kind: 'session.start',
    payload: { id, startedAt: startedAt.toISOString() },
  };
}

function sessionFinish(id: string, endedAt: Date): IngestItem {
  return {
    key: `session.update:${id}:finished`,
    kind: 'session.update',
    payload: { id, status: 'completed', endedAt: endedAt.toISOString() },
  };
}

beforeAll(async () => {
  central = await startCentral();
}, 60_000);

afterAll(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  for (const s of stores) await s.close();
  await central?.close();
});

describe('retention purge and credential expiry by the central worker', () => {
  let shortExam: string;
  let device: EnrolledTestDevice;
  let old: string[];
  let fresh: string[];

  beforeAll(async () => {
    shortExam = await createExam(central.owner.db, {
      title: 'Kept one day',
      type: 'SKL',
      difficulty: 4,
      retentionDays: 1,
    });
    device = await central.enroll(shortExam);
    [old, fresh] = [
      await fileFinishedSessions(central, device, 2),
      await fileFinishedSessions(central, device, 1),
    ];
    // Two sessions ended 3 days ago (past the 1-day retention), one an hour ago (kept).
    await central.owner.query(
      `UPDATE vigil.sessions SET started_at = now() - interval '3 days 1 hour', ended_at = now() - interval '3 days'
       WHERE id = ANY($1)`,
      [old],
    );
    await central.owner.query(
      `UPDATE vigil.sessions SET started_at = now() - interval '2 hours', ended_at = now() - interval '1 hour'
       WHERE id = ANY($1)`,
      [fresh],
    );
    // A 5000-byte snapshot stored for the first old session.
    const blob = randomUUID();
    await central.owner.query(
      `INSERT INTO vigil.blobs (id, session_id, kind, sha256, size, content_type, received, status)
       VALUES ($1, $2, 'snapshot', sha256('x'::bytea), 5000, 'image/jpeg', 5000, 'complete')`,
      [blob, old[0]],
    );
    await central.owner.query(
      `INSERT INTO vigil.blob_chunks (blob_id, "offset", sha256, data) VALUES ($1, 0, sha256('x'::bytea), $2)`,
      [blob, Buffer.alloc(5000, 7)],
    );
  });

  it('a worker on its schedule purges the sessions past retention and stores the receipt centrally', async () => {
    // Every minute: pg-boss's timekeeper sends the job at its first check after the schedule exists.
    const worker = await spawnWorker(central, 'worker_r', {
      env: { VIGIL_WORKER_RETENTION_CRON: '* * * * *' },
    });
    workers.push(worker);
    await worker.started;

    const [receipt] = await waitFor(
      'the purge receipt',
      async () => {
        const rows = await receipts('purge');
        return rows.length > 0 && rows;
      },
      90_000,
    );
    expect(receipt!.login).toBe('worker_r');
    expect(receipt!.worker_id).toBe('worker_r');
    expect(receipt!.sessions.map((s) => s.id).sort()).toEqual([...old].sort());
    expect(receipt!.rows).toMatchObject({ sessions: 2, questions: 4, warnings: 2 });
    // The 5000-byte snapshot, and the central reports the worker may have made of the two sessions
    // meanwhile (a PDF blob each, central 0440).
    expect(receipt!.rows.blobs).toBeGreaterThanOrEqual(1);
    expect(receipt!.rows.blob_chunks).toBe(receipt!.rows.blobs);
    expect(Number(receipt!.blob_bytes)).toBeGreaterThanOrEqual(5000);
    expect(receipt!.policy).toEqual({
      rule: 'exams.retention_days',
      exams: [{ examId: shortExam, retentionDays: 1 }],
    });
    // The rows are gone, the fresh session stays; the worker reported the run.
    const left = await central.owner.query<{ id: string }>(
      `SELECT id FROM vigil.sessions WHERE exam_id = $1`,
      [shortExam],
    );
    expect(left.map((r) => r.id)).toEqual(fresh);
    expect(
      await central.owner.query(
        `SELECT 1 FROM vigil.blob_chunks c JOIN vigil.blobs b ON b.id = c.blob_id
        WHERE b.session_id = ANY($1)`,
        [old],
      ),
    ).toHaveLength(0);
    await waitFor('the retention event', async () => worker.events.find((e) => e.kind === 'retention'));
    expect(worker.events.find((e) => e.kind === 'retention' && e.purgedSessions === 2)).toMatchObject({
      receipts: [receipt!.id],
    });
  }, 120_000);

  it('the worker login may only run the purge: it cannot change or remove a receipt, nor delete sessions', async () => {
    const asWorker = openPostgres({
      url: central.pg.urlFor('worker_r', 'pw'),
      sslMode: 'disable',
      maxConnections: 1,
    });
    stores.push(asWorker);
    expect(await asWorker.query(`SELECT id FROM vigil.retention_receipts`)).not.toHaveLength(0);
    await expect(asWorker.query(`UPDATE vigil.retention_receipts SET blob_bytes = 0`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(asWorker.query(`DELETE FROM vigil.retention_receipts`)).rejects.toThrow(/permission denied/);
    await expect(
      asWorker.query(`INSERT INTO vigil.retention_receipts (kind, policy) VALUES ('purge', '{}')`),
    ).rejects.toThrow(/permission denied/);
    await expect(asWorker.query(`DELETE FROM vigil.sessions WHERE id = $1`, [fresh[0]])).rejects.toThrow(
      /permission denied/,
    );
    // Admins read the receipts; nobody rewrites them, not even the owner.
    const adminId = await createUser(central.owner.db, {
      email: 'retention-admin@staff.test',
      role: 'admin',
    });
    await createStaffLogin(central.owner.db, {
      userId: adminId,
      roleName: 'retention_admin',
      password: 'pw',
      group: 'vigil_admin',
    });
    const asAdmin = openPostgres({
      url: central.pg.urlFor('retention_admin', 'pw'),
      sslMode: 'disable',
      maxConnections: 1,
    });
    stores.push(asAdmin);
    const listed = await new AdminService(asAdmin.query).list('receipts', {
      kind: 'purge',
      examId: shortExam,
    });
    expect(listed).toMatchObject([{ kind: 'purge', login: 'worker_r', worker_id: 'worker_r', sessions: 2 }]);
    // The snapshot's 5000 bytes, plus any central report PDFs the worker made of the two sessions.
    expect(Number((listed[0] as { blob_bytes: string }).blob_bytes)).toBeGreaterThanOrEqual(5000);
    await expect(asAdmin.query(`DELETE FROM vigil.retention_receipts`)).rejects.toThrow(/permission denied/);
    await expect(central.owner.query(`UPDATE vigil.retention_receipts SET blob_bytes = 0`)).rejects.toThrow(
      /append-only/,
    );
  });

  it('jobs still queued for a purged session complete at once instead of failing through their retries', async () => {
    const worker = workers[0]!;
    const purged = old[0]!;
    // Work that was queued before the purge (a late warning's risk, a decision's report, …).
    const boss = new PgBoss({
      connectionString: central.pg.urlFor('worker_r', 'pw'),
      schema: 'vigil_jobs',
      schedule: false,
      supervise: false,
    });
    await boss.start();
    const jobs: string[] = [];
    try {
      for (const queue of Object.values(QUEUES).filter((q) => q !== QUEUES.questions)) {
        jobs.push((await boss.send(queue, { sessionId: purged }, { retryLimit: 5, retryDelay: 30 }))!);
      }
    } finally {
      await boss.stop({ graceful: false, wait: true });
    }
    // The job tables belong to the worker group (pg-boss runs as vigil_worker).
    const asWorker = openPostgres({
      url: central.pg.urlFor('worker_r', 'pw'),
      sslMode: 'disable',
      maxConnections: 1,
    });
    stores.push(asWorker);
    const states = await waitFor('the jobs to end', async () => {
      const rows = await asWorker.query<{ name: string; state: string; retry_count: number }>(
        `SELECT name, state, retry_count FROM vigil_jobs.job WHERE id = ANY($1::uuid[]) ORDER BY name`,
        [jobs],
      );
      return rows.every((r) => r.state !== 'created' && r.state !== 'active') && rows;
    });
    // Done on their first run: none failed or waits for a retry.
    expect(states.map((r) => [r.name, r.state, r.retry_count])).toEqual(
      [QUEUES.evaluate, QUEUES.report, QUEUES.risk, QUEUES.transcribe].sort().map((q) => [q, 'completed', 0]),
    );
    // The work that needed the session said why it did nothing; no error was reported for it.
    const about = worker.events.filter((e) => jobs.includes(e.jobId as string));
    expect(about.filter((e) => e.kind === 'skipped').length).toBeGreaterThan(0);
    for (const e of about.filter((e) => e.kind === 'skipped')) {
      expect(e).toMatchObject({
        sessionId: purged,
        reason: expect.stringMatching(/no longer on the central server/) as unknown,
      });
    }
    expect(worker.events.filter((e) => e.kind === 'error' && String(e.message).includes(purged))).toEqual([]);
  }, 60_000);

  it("a device keeps uploading late items during the grace after its exam's window, then is refused with the reason", async () => {
    const windowed = await createExam(central.owner.db, { title: 'Windowed', type: 'GEN', difficulty: 3 });
    const late = await central.enroll(windowed);
    const other = await central.enroll(windowed);
    // The window closed an hour ago; the default grace is 72 h.
    await central.owner.query(`UPDATE vigil.exams SET closes_at = now() - interval '1 hour' WHERE id = $1`, [
      windowed,
    ]);
    const started = new Date(Date.now() - 3 * 3600_000);
    const before = randomUUID();
    const accepted = await central.channel.ingest(late.token, [
      sessionStart(before, started),
      sessionFinish(before, new Date(started.getTime() + 1800_000)),
    ]);
    expect(accepted.map((r) => r.status)).not.toContain('rejected');
    expect(await central.owner.query(`SELECT status FROM vigil.sessions WHERE id = $1`, [before])).toEqual([
      { status: 'completed' },
    ]);
    // No new device enrolls for a closed exam.
    const { code } = await createEnrollmentCode(central.owner.db, {
      candidateId: late.candidateId,
      examId: windowed,
    });
    const enrollment = await central.channel.redeem(code, 'too late').then(
      () => null,
      (error: unknown) => error as VigilError,
    );
    // The unauthenticated caller gets the one answer every refusal gets (#19 item 11); the
    // administrators see why.
    expect(enrollment).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'refused' } });
    const [attempt] = await central.owner.query<{ outcome: string }>(
      `SELECT outcome FROM vigil.enrollment_attempts ORDER BY id DESC LIMIT 1`,
    );
    expect(attempt?.outcome).toBe('window_closed');
    // A session claiming to start after the window closed is not taken.
    const after = randomUUID();
    const [refused] = await central.channel.ingest(late.token, [sessionStart(after, new Date())]);
    expect(refused).toMatchObject({ status: 'rejected' });
    expect(JSON.stringify(refused)).toMatch(/the exam's window has closed/);

    // The grace is over: every call of the exam's devices is refused, with the reason; the device of
    // another exam is not affected.
    await central.owner.query(
      `UPDATE vigil.exams SET closes_at = now() - interval '73 hours' WHERE id = $1`,
      [windowed],
    );
    const refusal = await central.channel.ingest(late.token, [sessionStart(randomUUID(), started)]).then(
      () => null,
      (error: unknown) => error as VigilError,
    );
    expect(refusal).toMatchObject({
      code: 'FORBIDDEN',
      details: { reason: 'window_closed', tokenRefused: true },
    });
    expect(refusal?.message).toMatch(
      /the exam's window has closed\. The window closed at .* late uploads were taken until .*contact the institution/,
    );
    expect(await central.channel.ingest(device.token, [])).toEqual([]);

    // The scheduled job marks the exam's devices expired, with a receipt naming them.
    await triggerRetention('worker_r');
    const [expiry] = await waitFor('the credential expiry receipt', async () => {
      const rows = await receipts('credential_expiry');
      return rows.length > 0 && rows;
    });
    expect(expiry!.devices.map((d) => d.id).sort()).toEqual([late.deviceId, other.deviceId].sort());
    expect(expiry!.policy).toMatchObject({ exams: [{ examId: windowed, lateUploadGraceHours: 72 }] });
    expect(expiry!.login).toBe('worker_r');
    const admin = new AdminService(central.owner.query);
    const listed = await admin.list('devices', { examId: windowed });
    expect(listed.map((d) => d.state)).toEqual(['window_closed', 'window_closed']);

    // Moving the window later gives the devices back their use.
    await central.owner.query(`UPDATE vigil.exams SET closes_at = now() + interval '1 day' WHERE id = $1`, [
      windowed,
    ]);
    expect(await central.channel.ingest(late.token, [])).toEqual([]);
  }, 60_000);

  it('stops cleanly', async () => {
    for (const w of workers.splice(0)) await stopWorker(w);
  });
});
