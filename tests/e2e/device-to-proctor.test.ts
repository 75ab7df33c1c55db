// Issue 17's end-to-end proof, with no central row written by hand: an administrator prepares the
// exam, the proctor's login and a one-time code (AdminService); a candidate enrolls in Chromium
// (fake camera fed from real face photos — alone, nobody, two people — and a fake microphone
// speaking through an exam that requires silence), runs the system check, the ID check and a whole
// interview, leaves the exam window once, and the device syncs to a real PostgreSQL. Then the
// proctor console opens in Chromium on the same host, and the test asserts what the proctor sees:
// the ID check (status, fields, card image), the video playing and seeking to each warning (each
// warning's clip in flags-only mode), a snapshot on every warning, the risk factors, the answers
// with their scores, the latest PDF. The proctor decides; central holds the new report version.
// A central worker (`vigil worker --local`, issue 18) runs beside PostgreSQL all along: what the
// proctor sees of the evaluation and the risk is the server's (the exam counts, so the device sends
// neither: issue 18, only a practice exam is evaluated on the device), and the report the proctor
// downloads is the worker's (version 1 after the server's evaluation, version 2 after the decision),
// made centrally: the console renders none.
import AxeBuilder from '@axe-core/playwright';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRendererDir } from '../../src-main/host/renderer-dir';
import {
  formatRiskPoints,
  riskFactorDetail,
  riskFactorLabel,
  type RiskExplanation,
} from '../../src-preload/risk-explanation';
import { ANSWERS, QUESTIONS, answerFrom, enroll, passChecks } from '../support/candidate/flow';
import { artifactPath } from '../support/chromium';
import { pdfText } from '../support/pdf-tools';
import {
  DOCUMENTS,
  PROCTOR,
  openProctorConsole,
  prepareExam,
  startDevice,
  startProctorWorld,
  type Device,
  type PreparedExam,
  type ProctorWorld,
  type VideoState,
} from '../support/review/device-to-proctor';
import { spawnWorker, stopWorker, type WorkerProcess } from '../support/worker';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const label = (type: string) => type.replace(/_/g, ' ');
const naturalWidth = (img: unknown) => (img as { naturalWidth: number }).naturalWidth;

let world: ProctorWorld;
let worker: WorkerProcess;

beforeAll(async () => {
  if (!fs.existsSync(`${defaultRendererDir()}/index.html`)) {
    throw new Error('The renderer is not built: run `npm run build` (npm test does it first).');
  }
  world = await startProctorWorld();
  worker = await spawnWorker(world.central, 'e2e_worker', { args: ['--local'] });
  await worker.started;
}, 120_000);
afterAll(async () => {
  if (worker) await stopWorker(worker);
  await world?.close();
});

interface CandidateRun {
  sessionId: string;
}

/** The candidate's whole session in Chromium, up to "Everything has been sent." */
async function candidateSession(device: Device, exam: PreparedExam, suite: string): Promise<CandidateRun> {
  const context = await world.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(device.host.url);
  await enroll(page, exam.code, exam.title);
  await passChecks(page, world, exam.title, async (name) => {
    await page.screenshot({ path: artifactPath('e2e', suite, `candidate-${name}.png`), fullPage: true });
  });
  await page.getByLabel('Your answer').fill(ANSWERS[0]!);

  // The camera's scripted stretches and the speaking microphone reach the candidate as notices.
  const notices = () => page.getByTestId('notices').textContent();
  await expect.poll(notices, { timeout: 60_000, interval: 250 }).toContain('We hear speaking');
  await expect.poll(notices, { timeout: 90_000, interval: 250 }).toContain("We can't see your face");
  await expect.poll(notices, { timeout: 60_000, interval: 250 }).toContain('more than one face');
  // The candidate switches to another window for 4 s (the page loses focus, then has it back).
  await page.evaluate("window.dispatchEvent(new Event('blur'))");
  await page.waitForTimeout(4000);
  await page.evaluate("window.dispatchEvent(new Event('focus'))");
  await page.screenshot({ path: artifactPath('e2e', suite, 'candidate-interview.png'), fullPage: true });

  await answerFrom(
    page,
    0,
    exam.uploadMode === 'full' ? /1 file\(s\) queued for upload/ : /[2-9]\d* file\(s\) queued for upload/,
  );
  await expect
    .poll(() => page.getByTestId('upload-progress').textContent(), { timeout: 180_000 })
    .toBe('Everything has been sent.');
  const receipt = (await page.getByTestId('receipt').textContent()) ?? '';
  const sessionId = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(receipt)?.[0];
  expect(sessionId).toBeDefined();
  expect(errors).toEqual([]);
  await context.close();
  return { sessionId: sessionId! };
}

async function videoState(page: Page): Promise<VideoState> {
  return page.getByTestId('review-video').evaluate((el) => {
    const v = el as unknown as {
      currentSrc: string;
      readyState: number;
      currentTime: number;
      duration: number;
      error: { code: number } | null;
      dataset: { start?: string };
    };
    return {
      src: v.currentSrc,
      readyState: v.readyState,
      currentTime: v.currentTime,
      duration: v.duration,
      error: v.error ? v.error.code : null,
      start: Number(v.dataset.start),
    };
  });
}

/** What central filed for the session (read-only). */
async function centralSession(sessionId: string) {
  const q = world.central.owner.query;
  const [session] = await q<{
    id_verification_status: string;
    id_details: { fields: Record<string, string | null>; faceMatchScore: number | null };
    risk_factors: RiskExplanation;
    server_risk_factors: RiskExplanation | null;
    video: string | null;
  }>(
    `SELECT id_verification_status, id_details, risk_factors, server_risk_factors,
            encode(video_sha256, 'hex') AS video
     FROM vigil.sessions WHERE id = $1`,
    [sessionId],
  );
  const blobs = await q<{ kind: string; n: string }>(
    `SELECT kind, count(*)::text AS n FROM vigil.blobs WHERE session_id = $1 GROUP BY kind`,
    [sessionId],
  );
  // The server's evaluation (the worker's), which the console shows instead of the device's.
  const [evaluation] = await q<{
    overall: number;
    question_responses: { score: number; feedback: string }[];
  }>(`SELECT overall, question_responses FROM vigil.server_evaluations WHERE session_id = $1`, [sessionId]);
  const reports = await q<{
    version: number;
    filed_by: string;
    made_by: string | null;
    reason: string;
    report_id: string;
    uploaded: boolean;
  }>(
    `SELECT rv.version, rv.filed_by, rv.made_by, rv.reason, rv.report_id,
            EXISTS (SELECT 1 FROM vigil.blobs b WHERE b.sha256 = rv.sha256 AND b.kind = 'pdf'
                    AND b.status = 'complete') AS uploaded
     FROM vigil.report_versions rv WHERE rv.session_id = $1 ORDER BY rv.created_at, rv.version`,
    [sessionId],
  );
  const warnings = await q<{
    type: string;
    source: string;
    snapshot: boolean;
    clip: string | null;
    clipAtS: number | null;
  }>(
    `SELECT type, source, snapshot_sha256 IS NOT NULL AS snapshot, details->'clip'->>'sha256' AS clip,
            (details->'clip'->>'atS')::float8 AS "clipAtS" FROM vigil.warnings
     WHERE session_id = $1 ORDER BY started_at, id`,
    [sessionId],
  );
  return {
    session: session!,
    warnings,
    blobs: Object.fromEntries(blobs.map((b) => [b.kind, Number(b.n)])) as Record<string, number>,
    evaluation: evaluation!,
    reports,
  };
}

/** The proctor's review of the session in Chromium; returns the page for the mode's own checks. */
async function proctorReview(device: Device, exam: PreparedExam, run: CandidateRun, suite: string) {
  const context = await world.browser.newContext({
    viewport: { width: 1400, height: 1000 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The worker evaluates and scores the session once it is finished centrally, then makes its report.
  await expect
    .poll(
      async () =>
        (
          await world.central.owner.query<{ ready: boolean }>(
            `SELECT s.server_risk_score IS NOT NULL AND EXISTS (
               SELECT 1 FROM vigil.server_evaluations e WHERE e.session_id = s.id) AND EXISTS (
               SELECT 1 FROM vigil.report_versions r WHERE r.session_id = s.id AND r.filed_by = 'worker') AS ready
             FROM vigil.sessions s WHERE s.id = $1`,
            [run.sessionId],
          )
        )[0]?.ready,
      { timeout: 60_000, interval: 250 },
    )
    .toBe(true);
  await openProctorConsole(page, device);
  const queue = page.getByTestId('queue');
  const row = queue.getByRole('button', { name: new RegExp(exam.candidateName) });
  await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
  await row.click();
  await expect
    .poll(() => page.getByRole('heading', { level: 2 }).textContent())
    .toBe(`${exam.candidateName} · ${exam.title}`);
  const central = await centralSession(run.sessionId);

  // The ID check as the device decided it, with the fields it read and the card the candidate showed.
  const idPanel = page.getByTestId('id-check');
  expect(await idPanel.getByTestId('id-status').textContent()).toBe(
    label(central.session.id_verification_status),
  );
  // The candidate faced the camera with the card's own face: verified, with the match score shown
  // (the live frame is one the camera presented, never the black one a new preview first reports).
  expect(central.session.id_verification_status).toBe('verified');
  const fields = idPanel.getByTestId('id-fields');
  await expect.poll(() => fields.textContent()).toContain('L898902C3');
  expect(await fields.textContent()).toContain(
    `Face match${Math.round(central.session.id_details.faceMatchScore! * 100)} %`,
  );
  const card = idPanel.getByRole('img', { name: 'ID card' });
  await expect.poll(() => card.evaluate(naturalWidth)).toBeGreaterThan(0);
  const cardUrl = await card.evaluate((img) => (img as unknown as { src: string }).src);
  const cardBytes = await (await page.request.get(cardUrl)).body();
  expect(sha256(cardBytes)).toBe(sha256(fs.readFileSync(world.idCard)));

  // Every warning type the session raised: face ones from the camera, speech from the microphone,
  // the focus loss from the page.
  const warnings = page.getByTestId('warnings').locator('li');
  const count = await warnings.count();
  const listed = (await page.getByTestId('warnings').textContent()) ?? '';
  for (const type of ['no_face', 'multiple_faces', 'speech_detected', 'focus_lost'])
    expect(listed).toContain(label(type));

  expect(count).toBe(central.warnings.length);

  // A snapshot on every warning the device raised (the audio and focus ones show the camera at
  // their start), each one loaded; the server's own findings (an app build it does not know) have
  // no camera frame.
  const fromDevice = central.warnings.filter((w) => w.source === 'device');
  expect(fromDevice.filter((w) => !w.snapshot).map((w) => w.type)).toEqual([]);
  const withSnapshot = central.warnings.filter((w) => w.snapshot).length;
  await expect
    .poll(() => page.getByRole('heading', { name: /^Snapshots/ }).textContent())
    .toBe(`Snapshots (${withSnapshot})`);
  const gallery = page.locator('.gallery img');
  await expect.poll(() => gallery.count(), { timeout: 20_000 }).toBe(withSnapshot);
  for (let i = 0; i < withSnapshot; i++)
    await expect.poll(() => gallery.nth(i).evaluate(naturalWidth)).toBeGreaterThan(0);

  // The risk score and each factor as the server computed them; the device's is advisory.
  const risk = central.session.server_risk_factors!;
  const panel = page.getByTestId('risk-factors');
  expect(await panel.getByTestId('risk-source').textContent()).toContain(
    'Computed by the central server from the warnings it holds.',
  );
  // The exam counts, so its device sent no risk of its own (nor an evaluation).
  expect(await panel.getByTestId('risk-source').textContent()).not.toContain('The device reported');
  expect(await panel.getByRole('heading').textContent()).toBe(`Risk ${Math.round(risk.score)} / 100`);
  expect(risk.factors.length).toBeGreaterThanOrEqual(4);
  const factorRows = panel.getByTestId('risk-factor');
  await expect.poll(() => factorRows.count()).toBe(risk.factors.length);
  for (const [i, f] of risk.factors.entries()) {
    const row = (await factorRows.nth(i).textContent())!.replace(/\s+/g, ' ');
    expect(row).toContain(riskFactorLabel(f.type));
    expect(row).toContain(`${riskFactorDetail(f)} ${formatRiskPoints(f.points)}`);
  }

  // The answers with the server evaluation's score for each.
  expect(await page.getByTestId('evaluation-source').textContent()).toContain(
    'Evaluated by the central server.',
  );
  const answers = page.getByTestId('answers');
  for (const [i, q] of QUESTIONS.entries()) {
    const item = answers.locator('li').nth(i);
    expect(await item.textContent()).toContain(q.question);
    expect(await item.textContent()).toContain(ANSWERS[i]);
    const response = central.evaluation.question_responses[i]!;
    expect(await page.getByTestId(`answer-score-${i}`).textContent()).toBe(
      `Score ${response.score} of 10${response.feedback ? ` — ${response.feedback}` : ''}`,
    );
  }

  // The resume and job listing the exam's questions are about.
  const documents = page.getByTestId('exam-documents');
  await documents.getByText(`Job listing: ${DOCUMENTS.job.title}`).click();
  await documents.getByText(`Resume: ${DOCUMENTS.resume.fileName}`).click();
  expect(await documents.textContent()).toContain(DOCUMENTS.job.description);
  expect(await documents.textContent()).toContain(DOCUMENTS.resume.text);

  // The report of record: the worker's version 1 (after the server's evaluation), named as the
  // latest central one with who made it, its PDF downloaded from central through the console.
  expect(await page.getByTestId('reports').locator('li').count()).toBe(central.reports.length);
  const workerReports = central.reports.filter((r) => r.filed_by === 'worker');
  expect(workerReports).toEqual([
    expect.objectContaining({ version: 1, made_by: worker.name, reason: 'evaluation', uploaded: true }),
  ]);
  const text = await downloadLatestReport(page, `${suite}-v1.pdf`, workerReports[0]!);
  expect(text).toContain(exam.candidateName);
  // The server's evaluation is in it.
  expect(text).toContain(`${central.evaluation.overall} Overall`);

  // Every panel filled with real data, as accessible as the seeded console (review-console.test.ts).
  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`),
  ).toEqual([]);

  return { page, context, errors, central, count };
}

/**
 * The latest central report as the console names it (version, id, the worker that made it) and its
 * PDF downloaded through the console; returns the PDF's text.
 */
async function downloadLatestReport(
  page: Page,
  file: string,
  expected: { version: number; report_id: string; made_by: string | null },
): Promise<string> {
  const latest = page.getByTestId('latest-report');
  await expect
    .poll(() => latest.textContent(), { timeout: 30_000 })
    .toContain(`Latest central report: v${expected.version} · ${expected.report_id}`);
  expect(await latest.textContent()).toContain(`made by central worker ${expected.made_by}`);
  await latest.getByRole('button', { name: 'Load PDF' }).click();
  const save = latest.getByRole('link', { name: `Save ${expected.report_id}.pdf` });
  const [download] = await Promise.all([page.waitForEvent('download'), save.click()]);
  const pdfFile = path.join(world.dir, file);
  await download.saveAs(pdfFile);
  const text = await pdfText(pdfFile);
  expect(text).toContain(expected.report_id);
  return text;
}

/**
 * The proctor decides; the worker makes version 2 with the decision in central (no console makes
 * one), and the console shows it as the latest and downloads it.
 */
async function decideAndCheckReport(page: Page, sessionId: string, suite: string) {
  const note = 'speaking and a focus loss during question 1';
  await page.getByLabel('Note (n)').fill(note);
  await page.getByRole('button', { name: 'Flagged (2)' }).click();
  await expect
    .poll(() => page.getByTestId('decision').textContent(), { timeout: 15_000 })
    .toContain('flagged');
  await expect
    .poll(
      async () =>
        (await centralSession(sessionId)).reports
          .filter((r) => r.filed_by !== 'device')
          .map((r) => [r.filed_by, r.version, r.reason, r.made_by, r.uploaded]),
      { timeout: 60_000 },
    )
    .toEqual([
      ['worker', 1, 'evaluation', worker.name, true],
      ['worker', 2, 'decision', worker.name, true],
    ]);
  const v2 = (await centralSession(sessionId)).reports.find(
    (r) => r.filed_by === 'worker' && r.version === 2,
  )!;
  const text = await downloadLatestReport(page, `${suite}-v2.pdf`, v2);
  expect(text).toContain(note);
  expect(text).toContain(PROCTOR.name);
}

describe('from the candidate device to the proctor console, in Chromium', () => {
  it('upload mode full: the proctor sees everything the candidate produced and decides', async () => {
    const exam = await prepareExam(world, 'full');
    const device = await startDevice(world, 'full');
    try {
      const run = await candidateSession(device, exam, 'device-to-proctor-full');
      const review = await proctorReview(device, exam, run, 'device-to-proctor-full');
      const { page, central, count } = review;
      expect(central.blobs.video).toBe(1);

      // The video plays and seeks to each warning as it is picked.
      for (let i = 0; i < count; i++) {
        await page.getByTestId('warnings').locator('li').nth(i).getByRole('button').click();
        await expect
          .poll(
            async () => {
              const v = await videoState(page);
              return v.error === null && v.readyState >= 2 && Math.abs(v.currentTime - v.start) < 0.5;
            },
            { timeout: 15_000 },
          )
          .toBe(true);
        expect(
          await page.getByRole('img', { name: new RegExp(`^Snapshot of warning ${i + 1}:`) }).count(),
        ).toBe(central.warnings[i]!.snapshot ? 1 : 0);
      }
      const v = await videoState(page);
      expect(v.src).toContain(`/review-blob/${central.session.video}`);
      await page
        .getByTestId('review-video')
        .evaluate((v) => (v as unknown as { play(): Promise<void> }).play());
      await expect
        .poll(async () => (await videoState(page)).currentTime, { timeout: 10_000 })
        .toBeGreaterThan(v.currentTime + 0.5);
      await page.screenshot({
        path: artifactPath('e2e', 'device-to-proctor-full', 'console.png'),
        fullPage: true,
      });

      await decideAndCheckReport(page, run.sessionId, 'device-to-proctor-full');
      expect(review.errors).toEqual([]);
      await review.context.close();
    } finally {
      await device.close();
    }
  }, 600_000);

  it('upload mode flags_only: each warning has its clip and no full recording exists centrally', async () => {
    const exam = await prepareExam(world, 'flags_only');
    const device = await startDevice(world, 'flags-only');
    try {
      const run = await candidateSession(device, exam, 'device-to-proctor-flags-only');
      const review = await proctorReview(device, exam, run, 'device-to-proctor-flags-only');
      const { page, central, count } = review;
      // No full recording centrally: the session names no video, the merged file the device kept
      // is not there, and every video file is one warning's clip.
      expect(central.session.video).toBeNull();
      const local = new Database(path.join(device.dataDir, 'vigil.db'), { readonly: true });
      const merged = local
        .prepare(`SELECT merged_path FROM media_recordings WHERE session_id = ? AND merged_path IS NOT NULL`)
        .all(run.sessionId) as { merged_path: string }[];
      local.close();
      expect(merged).toHaveLength(1);
      const mergedSha = sha256(fs.readFileSync(merged[0]!.merged_path));
      const videos = await world.central.owner.query<{ sha: string; type: string }>(
        `SELECT encode(sha256, 'hex') AS sha, content_type AS type FROM vigil.blobs
         WHERE session_id = $1 AND kind = 'video'`,
        [run.sessionId],
      );
      expect(videos.map((v) => v.sha)).not.toContain(mergedSha);
      const clips = await world.central.owner.query<{ sha: string }>(
        `SELECT DISTINCT details->'clip'->>'sha256' AS sha FROM vigil.warnings
         WHERE session_id = $1 AND details ? 'clip'`,
        [run.sessionId],
      );
      expect(new Set(videos.map((v) => v.sha))).toEqual(new Set(clips.map((c) => c.sha)));
      expect(videos.every((v) => v.type === 'video/mp4')).toBe(true);

      for (let i = 0; i < count; i++) {
        await page.getByTestId('warnings').locator('li').nth(i).getByRole('button').click();
        if (central.warnings[i]!.source !== 'device') {
          // The server's finding has no moment on camera: no clip, said so.
          await expect.poll(() => page.getByText('No video was uploaded for this warning.').count()).toBe(1);
          continue;
        }
        await expect.poll(() => page.getByText('Clip around the warning').count()).toBe(1);
        await expect
          .poll(
            async () => {
              const s = await videoState(page);
              // The clip plays from the warning's moment inside it (about 5 s in, the clip's lead).
              return (
                s.error === null &&
                s.readyState >= 2 &&
                s.duration > 0 &&
                s.src.includes(`/review-blob/${central.warnings[i]!.clip}`) &&
                s.start === central.warnings[i]!.clipAtS &&
                Math.abs(s.currentTime - s.start) < 0.5
              );
            },
            { timeout: 15_000 },
          )
          .toBe(true);
      }
      await expect
        .poll(() => page.getByRole('img', { name: 'Poster frame of the recording' }).evaluate(naturalWidth))
        .toBeGreaterThan(0);
      await page.screenshot({
        path: artifactPath('e2e', 'device-to-proctor-flags-only', 'console.png'),
        fullPage: true,
      });
      await decideAndCheckReport(page, run.sessionId, 'device-to-proctor-flags-only');
      expect(review.errors).toEqual([]);
      await review.context.close();
    } finally {
      await device.close();
    }
  }, 600_000);
});
