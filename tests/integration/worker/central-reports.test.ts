// Issue 18 item 1, "reports made centrally": a real `vigil worker` on a real PostgreSQL makes the
// report of record after the server's evaluation (version 1) and again after a proctor's decision
// (version 2), from central rows only, and files each version in PostgreSQL. The proctor's console
// renders nothing: it shows the worker's latest version and downloads that PDF from central.
// The job is exactly-once per state: run again (or by two workers at once) it files no second
// version of the same facts; and the worker's login can file a report only through the function.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerLogin } from '../../../src-main/central/admin';
import { openPostgres, type CentralStore } from '../../../src-main/central/connect';
import { ReviewService } from '../../../src-main/review/review-service';
import { makeCentralReport } from '../../../src-main/worker/make-report';
import { startCentral, type CentralFixture, type EnrolledTestDevice } from '../../support/central';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai';
import { pdfText } from '../../support/pdf-tools';
import { makeTempDir } from '../../support/temp-dir';
import {
  fileFinishedSessions,
  scoredEvaluation,
  spawnWorker,
  stopWorker,
  waitFor,
  type WorkerProcess,
} from '../../support/worker';

let central: CentralFixture;
let fake: FakeOpenAI;
let worker: WorkerProcess;
let device: EnrolledTestDevice;
let workerLogin: CentralStore;
const temp = makeTempDir('vigil-central-reports-');

interface VersionRow {
  version: number;
  reason: string;
  filed_by: string;
  made_by: string | null;
  report_id: string;
}

const versionsOf = (sessionId: string) =>
  central.owner.query<VersionRow>(
    `SELECT version, reason, filed_by, made_by, report_id FROM vigil.report_versions
     WHERE session_id = $1 ORDER BY filed_by, version`,
    [sessionId],
  );

/** The PDF of a version as the proctor's console downloads it (blob chunks from central). */
async function download(review: ReviewService, sha256: string, name: string): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of (await review.blob(sha256)).read()) parts.push(part);
  const file = path.join(temp.dir, name);
  fs.writeFileSync(file, Buffer.concat(parts));
  return pdfText(file);
}

beforeAll(async () => {
  central = await startCentral();
  fake = await startFakeOpenAI();
  fake.setDefault('chat', scoredEvaluation);
  worker = await spawnWorker(central, 'reporter', {
    env: { OPENAI_API_KEY: 'sk-reports', OPENAI_BASE_URL: fake.baseURL },
  });
  await worker.started;
  device = await central.enroll();
  await createWorkerLogin(central.owner.db, { roleName: 'reporter_b', password: 'pw' });
  workerLogin = openPostgres({ url: central.pg.urlFor('reporter_b', 'pw'), sslMode: 'disable' });
}, 60_000);

afterAll(async () => {
  if (worker) await stopWorker(worker);
  await workerLogin?.close();
  await fake?.close();
  await central?.close();
  temp.cleanup();
});

describe('the central worker makes the report of record', () => {
  it('files version 1 after the evaluation and version 2 after a decision; the console downloads them and renders none', async () => {
    const [sessionId] = await fileFinishedSessions(central, device, 1);
    const id = sessionId!;
    const first = await waitFor('the worker report after the evaluation', async () => {
      const rows = await versionsOf(id);
      return rows.find((r) => r.filed_by === 'worker');
    });
    expect(first).toMatchObject({ version: 1, reason: 'evaluation', made_by: 'reporter' });

    const proctor = await central.createProctor('proctor_r', [device.examId]);
    const filed: string[] = [];
    const review = new ReviewService(proctor.store.query, {
      onReportFiled: (s) => filed.push(s),
      reportPollMs: 100,
    });
    const before = await review.load(id);
    expect(before.evaluation).toMatchObject({ source: 'server', overall: 74 });
    expect(before.latestReport).toMatchObject({
      version: 1,
      filedBy: 'worker',
      madeBy: 'reporter',
      reason: 'evaluation',
      uploaded: true,
    });
    const v1 = await download(review, before.latestReport!.sha256, 'v1.pdf');
    // The server's evaluation (the fake provider's 74 overall) and the server's risk are in it.
    expect(v1).toContain('74 Overall');
    expect(v1).toContain('Concrete and structured.');
    expect(v1).toContain(`Session risk ${before.session.riskScore}`);
    expect(v1).toContain('No reviewer decision has been recorded yet.');
    expect(v1).toContain(before.latestReport!.reportId);

    await review.decide({ sessionId: id, decision: 'invalidated', note: 'notes on the desk' });
    // The console is told once the worker has filed the version after the decision.
    await waitFor('the console to see the new version', async () => filed.includes(id));
    const after = await review.load(id);
    expect(after.latestReport).toMatchObject({
      version: 2,
      filedBy: 'worker',
      madeBy: 'reporter',
      reason: 'decision',
    });
    const v2 = await download(review, after.latestReport!.sha256, 'v2.pdf');
    expect(v2).toContain('74 Overall');
    expect(v2).toContain('Session invalidated');
    expect(v2).toContain('notes on the desk');
    expect(v2).toContain('proctor_r');
    // It lists the earlier version it replaces.
    expect(v2).toContain(before.latestReport!.reportId);

    // Every version was made by the worker: none by a console, each audited as the worker's login.
    const rows = await versionsOf(id);
    expect(rows.map((r) => [r.filed_by, r.version])).toEqual([
      ['worker', 1],
      ['worker', 2],
    ]);
    const audit = await central.owner.query<{ actor_role: string }>(
      `SELECT actor_role FROM vigil.audit_log WHERE action = 'file_central_report' AND target_id = $1`,
      [id],
    );
    expect(audit.map((a) => a.actor_role)).toEqual(['reporter', 'reporter']);
    await review.close();
  }, 120_000);

  it('files one version per state of the facts, however often or concurrently the job runs', async () => {
    const [sessionId] = await fileFinishedSessions(central, device, 1);
    const id = sessionId!;
    await waitFor('version 1', async () => (await versionsOf(id)).length === 1);
    // The job again, through the queue, with nothing changed: no second version.
    const events = worker.events.length;
    await central.owner.query(`INSERT INTO vigil.worker_requests(session_id, kind) VALUES ($1, 'report')`, [
      id,
    ]);
    await central.owner.query(`SELECT pg_notify('vigil_worker', $1)`, [id]);
    await waitFor('the repeated job', async () =>
      worker.events
        .slice(events)
        .some((e) => e.kind === 'report' && e.sessionId === id && e.outcome === 'unchanged'),
    );
    expect(await versionsOf(id)).toHaveLength(1);

    // Two jobs at once on another worker login, after a verdict: one files version 2, the other
    // finds it filed.
    worker.child.kill('SIGSTOP');
    try {
      const [warning] = await central.owner.query<{ id: string }>(
        `SELECT id FROM vigil.warnings WHERE session_id = $1`,
        [id],
      );
      await central.owner.query(
        `INSERT INTO vigil.reviews(warning_id, verdict, comment) VALUES ($1, 'confirmed', '')`,
        [warning!.id],
      );
      const outcomes = await Promise.all(
        ['b1', 'b2'].map((jobId) =>
          makeCentralReport({ db: workerLogin.db, sessionId: id, workerId: 'reporter_b', jobId }),
        ),
      );
      expect(outcomes.map((o) => o.outcome).sort()).toEqual(['filed', 'unchanged']);
      expect(await versionsOf(id)).toMatchObject([
        { version: 1, made_by: 'reporter' },
        { version: 2, made_by: 'reporter_b', reason: 'review' },
      ]);
    } finally {
      worker.child.kill('SIGCONT');
    }
  }, 120_000);

  it("gives the worker's login reads and the filing function, not the tables a report is stored in", async () => {
    const [s] = await central.owner.query<{ id: string }>(`SELECT id FROM vigil.sessions LIMIT 1`);
    await expect(
      workerLogin.query(
        `INSERT INTO vigil.report_versions(session_id, report_id, version, sha256, filed_by, made_by, basis)
         VALUES ($1, 'forged', 9, sha256('x'), 'worker', 'me', sha256('x'))`,
        [s!.id],
      ),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(workerLogin.query(`DELETE FROM vigil.session_decisions`)).rejects.toMatchObject({
      code: '42501',
    });
    await expect(workerLogin.query(`UPDATE vigil.reviews SET comment = 'x'`)).rejects.toMatchObject({
      code: '42501',
    });
    await expect(
      workerLogin.query(`SELECT vigil.file_report($1, 'r', 1, '', 'pdf')`, [s!.id]),
    ).rejects.toMatchObject({ code: '42501' });
  });
});
