// Who evaluates an exam (issue 18 items 1–3), on a real PostgreSQL with the app as the candidate's
// device. An exam counts unless it is a practice exam set to `evaluation: 'device'`: then the
// device runs no evaluation and sends neither an evaluation nor a risk, its report has no scores
// and says the server evaluates. A modified device (its cached exam edited in the local SQLite to
// say 'device') evaluates anyway: central refuses its evaluation and its risk, with reasons the
// proctor sees. A practice exam set to 'device' is evaluated on the device, stored labelled as such,
// and the worker is not asked to evaluate it. An edited cached proctoring policy (a detector's
// threshold) raises policy_mismatch.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminService } from '../../../src-main/admin/admin-service';
import { createEnrollmentCode, createExam, createUser } from '../../../src-main/central/admin';
import { sqlDeviceChannel } from '../../../src-main/central/device-channel';
import { openSealed, sealContent } from '../../../src-main/security/exam-seal';
import { createTokenVaults } from '../../../src-main/store/device-credentials';
import { enrollmentFor } from '../../../src-main/store/enrollments';
import type { CachedExam } from '../../../src-main/store/exam-cache';
import { ReviewService } from '../../../src-main/review/review-service';
import type { CallName, CallRequest, CallResponse, FinishProgress } from '../../../src-preload/contract';
import { createTestApp, type TestApp } from '../../support/app';
import { pdfText } from '../../support/pdf-tools';
import { DEVICE_LOGIN, startCentral, type CentralFixture } from '../../support/central';

const ctx = { transport: 'host' as const, origin: 'test' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PRACTICE = { practice: true, evaluation: 'device' };

let central: CentralFixture;
const apps: TestApp[] = [];
beforeAll(async () => {
  central = await startCentral();
}, 60_000);
afterAll(async () => {
  for (const t of apps) {
    await t.app.close();
    t.cleanup();
  }
  await central?.close();
});

const newExam = (policy: Record<string, unknown> = {}) =>
  createExam(central.owner.db, {
    title: `Exam ${randomUUID().slice(0, 6)}`,
    type: 'SKL',
    difficulty: 5,
    keyQuestions: [{ question: 'Why do you want this role?', time_limit_s: 120 }],
    policy,
  });

/**
 * Enrolls a device on the exam, lets `edit` change its local SQLite, then takes the exam to its end
 * and waits until the work after it is settled and everything is uploaded (or, with `untilStarted`,
 * only until the interview's start is central).
 */
async function takeExam(
  examId: string,
  options: { edit?: (t: TestApp) => Promise<void>; untilStarted?: boolean } = {},
) {
  const t = createTestApp('host', {
    VIGIL_CENTRAL_URL: central.pg.urlFor(DEVICE_LOGIN),
    VIGIL_CENTRAL_SSL_MODE: 'disable',
  });
  apps.push(t);
  const call = async <C extends CallName>(name: C, request: CallRequest<C>) => {
    const result = await t.app.dispatcher.dispatch(name, request, ctx);
    if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
    return result.value as CallResponse<C>;
  };
  const candidateId = await createUser(central.owner.db, {
    email: `${randomUUID()}@candidates.test`,
    role: 'candidate',
  });
  const { code } = await createEnrollmentCode(central.owner.db, { candidateId, examId });
  await call('candidateEnroll', { code });
  await options.edit?.(t);
  const { sessionId } = await call('candidateConsent', { examId, accepted: true });
  await call('candidateSystemCheck', {
    sessionId,
    camera: { ok: true, label: 'Test camera' },
    microphone: { ok: true, label: 'Test microphone', peakDb: -20 },
    displays: 1,
    cpuProbeMs: 20,
  });
  let state = await call('candidateBeginInterview', { sessionId });
  const store = await t.app.context.candidate.store();
  if (options.untilStarted) {
    await expect
      .poll(
        async () =>
          Number(
            (
              await central.owner.query<{ n: string }>(
                `SELECT count(*) AS n FROM vigil.events WHERE session_id = $1 AND kind = 'lockdown_policy'`,
                [sessionId],
              )
            )[0]!.n,
          ),
        { timeout: 30_000, interval: 250 },
      )
      .toBe(1);
    return { sessionId, store, progress: null };
  }
  while (!state.done && state.question)
    state = await call('candidateSubmitAnswer', {
      sessionId,
      questionId: state.question.id,
      text: 'I like building reliable systems: I wrote an outbox with idempotency keys so retries were safe.',
    });
  let progress: FinishProgress = await call('candidateFinish', { sessionId });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const report = progress.items.find((i) => i.id === 'report');
    if (report?.state === 'done' && progress.upload.pendingItems === 0 && progress.upload.receipts > 0) break;
    await sleep(300);
    progress = await call('candidateFinishProgress', { sessionId });
  }
  expect(progress.items.find((i) => i.id === 'report')?.state).toBe('done');
  // The uploader runs in the background: let its last batch land.
  await expect
    .poll(
      () =>
        (
          store.raw.prepare(`SELECT count(*) AS n FROM outbox WHERE status = 'pending'`).get() as {
            n: number;
          }
        ).n,
      { timeout: 30_000, interval: 250 },
    )
    .toBe(0);
  return { sessionId, store, progress };
}

/** The candidate owns the device: with the key the server releases at the start they open the
 * sealed exam this device cached, edit it, seal it again, and edit the plain facts to match. */
async function editCache(
  t: TestApp,
  examId: string,
  edit: (exam: CachedExam) => void,
  plain: Record<string, unknown> = {},
): Promise<void> {
  const store = await t.app.context.candidate.store();
  const enrollment = enrollmentFor(store, examId)!;
  const token = createTokenVaults(t.dir).forFile(enrollment.tokenFile).load()!;
  const channel = sqlDeviceChannel((await t.app.context.candidate.central()).query);
  const { key } = await channel.releaseExamKey(token, examId);
  const row = store.raw.prepare('SELECT sealed, definition FROM cached_exams WHERE id = ?').get(examId) as {
    sealed: Buffer;
    definition: string;
  };
  const exam = openSealed(Buffer.from(row.sealed), key) as CachedExam;
  edit(exam);
  const definition = { ...(JSON.parse(row.definition) as Record<string, unknown>), ...plain };
  store.raw
    .prepare('UPDATE cached_exams SET sealed = ?, definition = ? WHERE id = ?')
    .run(sealContent(exam, key), JSON.stringify(definition), examId);
}

describe('where an exam is evaluated', () => {
  it('a server-evaluated exam: the device neither evaluates nor scores; a device edited to evaluate is refused', async () => {
    const examId = await newExam();
    const honest = await takeExam(examId);
    const jobs = honest.store.raw
      .prepare(`SELECT kind FROM jobs WHERE session_id = ? ORDER BY kind`)
      .all(honest.sessionId) as { kind: string }[];
    expect(jobs.map((j) => j.kind)).not.toContain('evaluation');
    expect(honest.progress!.items.find((i) => i.id === 'evaluation')?.detail).toBe('evaluated by the server');
    const local = honest.store.raw
      .prepare(
        `SELECT risk_score, (SELECT count(*) FROM evaluations e WHERE e.session_id = s.id) AS evaluations
                FROM sessions s WHERE s.id = ?`,
      )
      .get(honest.sessionId);
    expect(local).toEqual({ risk_score: null, evaluations: 0 });
    // The device's report: no scores, and it says the server evaluates.
    const pdf = honest.store.raw
      .prepare(`SELECT path FROM blob_uploads WHERE session_id = ? AND kind = 'pdf'`)
      .get(honest.sessionId) as { path: string };
    const text = (await pdfText(pdf.path)).replace(/\s+/g, ' ');
    expect(text).toContain('Evaluated by the server: the central server scores this exam');
    expect(text).not.toContain('No evaluation scores');
    const [row] = await central.owner.query<{
      risk_score: string | null;
      evaluations: string;
      requests: string[];
    }>(
      `SELECT s.risk_score, (SELECT count(*) FROM vigil.evaluations e WHERE e.session_id = s.id) AS evaluations,
              (SELECT array_agg(kind ORDER BY kind) FROM vigil.worker_requests r WHERE r.session_id = s.id) AS requests
       FROM vigil.sessions s WHERE s.id = $1`,
      [honest.sessionId],
    );
    expect(row).toEqual({ risk_score: null, evaluations: '0', requests: ['evaluate', 'risk'] });

    // The candidate edits the cached exam to make their device the evaluator.
    const modified = await takeExam(examId, {
      edit: (t) =>
        editCache(
          t,
          examId,
          (exam) => {
            exam.policy = PRACTICE;
          },
          { evaluation: 'device' },
        ),
    });
    // The device evaluated and scored (it believes its cache) …
    const evaluated = modified.store.raw
      .prepare(`SELECT count(*) AS n FROM evaluations WHERE session_id = ?`)
      .get(modified.sessionId) as { n: number };
    expect(evaluated.n).toBe(1);
    // … central took neither, and says why.
    const receipts = await central.owner.query<{ kind: string; status: string; reason: string | null }>(
      `SELECT r.kind, r.status, r.reason FROM vigil.ingest_receipts r JOIN vigil.devices d ON d.id = r.device_id
       JOIN vigil.sessions s ON s.device_id = d.id WHERE s.id = $1 AND r.kind = 'evaluation'`,
      [modified.sessionId],
    );
    expect(receipts.length).toBeGreaterThan(0);
    for (const r of receipts) {
      expect(r.status).toBe('rejected');
      expect(r.reason).toMatch(/is evaluated by the server; its device may not write an evaluation/);
    }
    const [stored] = await central.owner.query<{
      risk_score: string | null;
      risk_factors: unknown;
      n: string;
    }>(
      `SELECT s.risk_score, s.risk_factors, (SELECT count(*) FROM vigil.evaluations e WHERE e.session_id = s.id) AS n
       FROM vigil.sessions s WHERE s.id = $1`,
      [modified.sessionId],
    );
    expect(stored).toEqual({ risk_score: null, risk_factors: null, n: '0' });

    // The proctor sees both refusals under the session.
    const proctor = await central.createProctor(`proctor_${randomUUID().slice(0, 8)}`, [examId]);
    const review = await new ReviewService(proctor.store.query).load(modified.sessionId);
    expect(review.evaluation).toBeNull();
    expect(review.refusedDeviceWrites.map((r) => r.kind).sort()).toEqual(
      expect.arrayContaining(['evaluation', 'risk']),
    );
    expect(review.refusedDeviceWrites.find((r) => r.kind === 'risk')?.reason).toMatch(
      /is evaluated by the server; its device may not write a risk score/,
    );
  }, 240_000);

  it('a practice exam set to device: evaluated on the device, stored labelled as such, not by the worker', async () => {
    const examId = await newExam(PRACTICE);
    const taken = await takeExam(examId);
    expect(taken.progress!.items.find((i) => i.id === 'evaluation')?.detail).toMatch(/of 100 \(local\)/);
    const [row] = await central.owner.query<{
      overall: number;
      label: string | null;
      risk_score: string | null;
      requests: string[];
    }>(
      `SELECT e.overall, e.label, s.risk_score,
              (SELECT array_agg(kind ORDER BY kind) FROM vigil.worker_requests r WHERE r.session_id = s.id) AS requests
       FROM vigil.sessions s JOIN vigil.evaluations e ON e.session_id = s.id WHERE s.id = $1`,
      [taken.sessionId],
    );
    expect(row!.label).toMatch(/Evaluated on the candidate’s device \(practice exam\)/);
    expect(row!.risk_score).not.toBeNull();
    expect(row!.requests).toEqual(['risk']);
    const proctor = await central.createProctor(`proctor_${randomUUID().slice(0, 8)}`, [examId]);
    const review = await new ReviewService(proctor.store.query).load(taken.sessionId);
    expect(review.evaluation).toMatchObject({ source: 'device', overall: row!.overall });
    expect(review.evaluation?.label).toMatch(/practice exam/);
    expect(review.refusedDeviceWrites).toEqual([]);
  }, 240_000);

  it('an admin cannot make an exam that counts evaluate on the device', async () => {
    const admin = new AdminService(central.owner.query);
    await expect(
      admin.saveExam({ title: 'Final', type: 'FIN', difficulty: 7, policy: { evaluation: 'device' } }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/Only a practice exam/) as unknown,
    });
    await expect(
      admin.saveExam({ title: 'Final', type: 'FIN', difficulty: 7, policy: { evaluation: 'laptop' } }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    // Central refuses it too, whatever tool writes the row.
    await expect(
      central.owner.query(`UPDATE vigil.exams SET policy = '{"evaluation": "device"}' WHERE id = $1`, [
        await newExam(),
      ]),
    ).rejects.toThrow(/exams_evaluation_check/);
    expect(await admin.saveExam({ title: 'Practice', type: 'GEN', difficulty: 2, policy: PRACTICE })).toMatch(
      /^[0-9a-f-]{36}$/,
    );
  });

  it('an edited cached proctoring policy raises policy_mismatch for the proctoring thresholds', async () => {
    const examId = await newExam({ noFace: { minDurationMs: 3000 } });
    const flags = async (sessionId: string) =>
      central.owner.query<{ what: string; severity: string; differs: string[] | null }>(
        `SELECT details->>'what' AS what, severity, details->'differs' AS differs FROM vigil.warnings
         WHERE session_id = $1 AND type = 'policy_mismatch' AND source = 'server' ORDER BY 1`,
        [sessionId],
      );
    const edited = await takeExam(examId, {
      untilStarted: true,
      edit: (t) =>
        editCache(t, examId, (exam) => {
          exam.policy = {
            ...exam.policy,
            noFace: { ...(exam.policy.noFace as Record<string, unknown>), minDurationMs: 600000 },
            lookingAway: { enabled: false },
            frames: { fps: 0.5 },
          };
        }),
    });
    expect(await flags(edited.sessionId)).toEqual([
      {
        what: 'proctoring',
        severity: 'high',
        differs: ['frames.fps', 'lookingAway.enabled', 'noFace.minDurationMs'],
      },
    ]);
    // The exam's own thresholds, unedited, are what the server expects.
    const honest = await takeExam(examId, { untilStarted: true });
    expect(await flags(honest.sessionId)).toEqual([]);
  }, 120_000);
});
