// The proctor and admin consoles end to end: real Chromium on the built renderer, the headless host,
// the real services and a real PostgreSQL. A proctor of exam A signs in with their own login, sees
// only exam A (UI and contract), reviews a session from the keyboard alone; the audit log and the
// report the central worker makes afterwards (in-process here) hold the verdicts; the console
// renders none and shows the worker's version once filed. axe-core checks every console screen.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type CentralStore } from '../../src-main/central/connect';
import { migrateCentral } from '../../src-main/central/migrate';
import { defaultRendererDir } from '../../src-main/host/renderer-dir';
import { startHost, type RunningHost } from '../../src-main/host/server';
import { makeCentralReport } from '../../src-main/worker/make-report';
import { createTestApp, type TestApp } from '../support/app';
import { artifactPath, launchChromium } from '../support/chromium';
import { pdfText } from '../support/pdf-tools';
import { startPostgres, type PostgresCluster } from '../support/postgres';
import {
  formatRiskPoints,
  riskFactorDetail,
  riskFactorLabel,
  type RiskExplanation,
} from '../../src-preload/risk-explanation';
import { PASSWORD, seedConsole, type Seed } from '../support/review/seed';

let cluster: PostgresCluster;
let owner: CentralStore;
let seed: Seed;
let t: TestApp;
let host: RunningHost;
let browser: Browser;

const ctx = { transport: 'host' as const, origin: 'test' };

beforeAll(async () => {
  if (!fs.existsSync(`${defaultRendererDir()}/index.html`)) {
    throw new Error('The renderer is not built: run `npm run build` (npm test does it first).');
  }
  cluster = await startPostgres();
  owner = openPostgres({ url: cluster.url, sslMode: 'disable' });
  await migrateCentral(owner.db as never);
  // A real 4-minute VP8 video (tiny frames) as exam A's merged recordings, so the player can jump.
  const videoFile = path.join(os.tmpdir(), `vigil-review-${process.pid}.webm`);
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=duration=240:size=96x64:rate=2',
    '-c:v',
    'libvpx',
    '-b:v',
    '20k',
    '-g',
    '4',
    videoFile,
  ]);
  const video = { data: fs.readFileSync(videoFile), contentType: 'video/webm' };
  fs.rmSync(videoFile, { force: true });
  seed = await seedConsole(owner.query, { video });
  t = createTestApp('host', { VIGIL_CENTRAL_URL: cluster.url, VIGIL_CENTRAL_SSL_MODE: 'disable' });
  host = await startHost({ app: t.app, rendererDir: defaultRendererDir(), logger: t.app.context.logger });
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await t?.app.close();
  t?.cleanup();
  await owner?.close();
  await cluster?.stop();
});

async function axe(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  fs.writeFileSync(
    artifactPath('review-console', `axe-${name}.json`),
    JSON.stringify(results.violations, null, 2),
  );
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`)).toEqual(
    [],
  );
}

async function openConsole(page: Page, route: string, login: string): Promise<void> {
  await page.goto(host.url);
  // The bridge is up once the candidate's first screen shows (this machine is not enrolled).
  await page.getByRole('heading', { name: 'Enroll this device' }).waitFor();
  await page.evaluate((r) => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = r;
  }, route);
  await page.getByLabel('Login').fill(login);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.keyboard.press('Enter');
}

const examA = () => seed.sessions.filter((s) => s.examId === seed.examA);
const examB = () => seed.sessions.filter((s) => s.examId === seed.examB);

describe('proctor console', () => {
  it('shows a proctor only their exam and reviews a session from the keyboard alone', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await openConsole(page, '#/proctor', 'proctor_a');

    const queue = page.getByTestId('queue');
    await expect.poll(() => queue.getByRole('button').count()).toBe(3);
    const queueText = (await queue.textContent()) ?? '';
    expect(queueText).toContain('Alice Able');
    expect(queueText).toContain('Exam A');
    expect(queueText).not.toContain('Exam B');
    expect(queueText).not.toContain('Bexam');
    await page.getByLabel('Candidate').fill('Bexam');
    await expect.poll(() => queue.getByRole('button').count()).toBe(0);
    await page.getByLabel('Candidate').fill('');
    await expect.poll(() => queue.getByRole('button').count()).toBe(3);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.screenshot({ path: artifactPath('review-console', 'queue.png'), fullPage: true });
    await axe(page, 'queue');

    // Through the contract too: exam B does not exist for this login.
    const loadB = await t.app.dispatcher.dispatch('reviewLoad', { sessionId: examB()[0]!.id }, ctx);
    expect(loadB).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const queueB = await t.app.dispatcher.dispatch('reviewQueue', { examId: seed.examB }, ctx);
    expect(queueB).toEqual({ ok: true, value: { rows: [], nextCursor: null } });
    const blobB = await t.app.dispatcher.dispatch(
      'reviewWarning',
      { warningId: examB()[0]!.warningIds[0], verdict: 'dismissed' },
      ctx,
    );
    expect(blobB).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    // Keyboard only from here: j/k to move, Enter to open the riskiest session.
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await page.keyboard.press('Enter');
    const warnings = page.getByTestId('warnings');
    await expect.poll(() => warnings.locator('li').count()).toBe(3);
    await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toContain('Alice Able');

    // The video jumps to each warning: 1:00, then 2:00 after `j`, and back with `k`.
    const videoAt = () =>
      page
        .getByTestId('review-video')
        .evaluate((v) => Math.round((v as unknown as { currentTime: number }).currentTime));
    await expect.poll(videoAt, { timeout: 15_000 }).toBe(60);
    await page.keyboard.press('j');
    await expect.poll(videoAt, { timeout: 15_000 }).toBe(120);
    await page.keyboard.press('k');
    await expect.poll(videoAt, { timeout: 15_000 }).toBe(60);
    await expect
      .poll(() =>
        page
          .locator('img.snapshot')
          .first()
          .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      )
      .toBe(64);

    // The risk score with each factor as central filed it: warning, inputs and points, which add
    // up to the score; picking a factor selects its warning and the video follows.
    const [filed] = await owner.query<{ risk_factors: RiskExplanation }>(
      `SELECT risk_factors FROM vigil.sessions WHERE id = $1`,
      [examA()[0]!.id],
    );
    const risk = filed!.risk_factors;
    const panel = page.getByTestId('risk-factors');
    expect(await panel.getByRole('heading').textContent()).toBe(`Risk ${risk.score} / 100`);
    const factorRows = panel.getByTestId('risk-factor');
    await expect.poll(() => factorRows.count()).toBe(risk.factors.length);
    expect(risk.factors).toHaveLength(3);
    for (const [i, f] of risk.factors.entries()) {
      const row = (await factorRows.nth(i).textContent())!.replace(/\s+/g, ' ');
      expect(row).toContain(riskFactorLabel(f.type));
      expect(row).toContain(`${riskFactorDetail(f)} ${formatRiskPoints(f.points)}`);
    }
    const last = risk.factors.findIndex((f) => f.warningId === examA()[0]!.warningIds[2]);
    await factorRows.nth(last).getByRole('button').click();
    await expect.poll(videoAt, { timeout: 15_000 }).toBe(180);
    const first = risk.factors.findIndex((f) => f.warningId === examA()[0]!.warningIds[0]);
    await factorRows.nth(first).getByRole('button').click();
    await expect.poll(videoAt, { timeout: 15_000 }).toBe(60);

    await page.keyboard.press('m');
    await page.keyboard.type('notes on the desk');
    await page.keyboard.press('Escape');
    await page.keyboard.press('c');
    await expect
      .poll(
        async () =>
          `${await page.getByTestId('verdict-0').textContent()} ${await page.getByTestId('review-status').textContent()}`,
        { timeout: 15_000 },
      )
      .toMatch(/^confirmed /);
    await page.keyboard.press('d'); // the selection moved on to warning 2
    await expect
      .poll(() => page.getByTestId('verdict-1').textContent(), { timeout: 15_000 })
      .toBe('dismissed');
    await page.keyboard.press('n');
    await page.keyboard.type('second person in view');
    await page.keyboard.press('Escape');
    await page.keyboard.press('3');
    await expect
      .poll(() => page.getByTestId('decision').textContent(), { timeout: 15_000 })
      .toContain('invalidated');
    await page.screenshot({ path: artifactPath('review-console', 'session-review.png'), fullPage: true });
    await axe(page, 'session-review');

    const s = examA()[0]!;
    const audit = await owner.query<{
      action: string;
      actor_role: string;
      target_id: string;
      details: Record<string, unknown>;
    }>(
      `SELECT action, actor_role, target_id, details FROM vigil.audit_log
       WHERE action IN ('review_warning', 'decide_session') ORDER BY id`,
    );
    expect(audit).toEqual([
      {
        action: 'review_warning',
        actor_role: 'proctor_a',
        target_id: s.warningIds[0],
        details: expect.objectContaining({
          before: null,
          after: { verdict: 'confirmed', comment: 'notes on the desk' },
        }) as unknown,
      },
      {
        action: 'review_warning',
        actor_role: 'proctor_a',
        target_id: s.warningIds[1],
        details: expect.objectContaining({
          before: null,
          after: { verdict: 'dismissed', comment: '' },
        }) as unknown,
      },
      {
        action: 'decide_session',
        actor_role: 'proctor_a',
        target_id: s.id,
        details: expect.objectContaining({
          after: { decision: 'invalidated', note: 'second person in view' },
        }) as unknown,
      },
    ]);
    // The console rendered no report (nothing on this laptop) and says the server is making it.
    expect(fs.existsSync(path.join(t.dir, 'reports', s.id))).toBe(false);
    const latest = page.getByTestId('latest-report');
    expect(await latest.textContent()).toContain('the report is being made by the server');
    // The central worker's report job (run here in-process, on the owner's login) makes it from
    // central rows; the console finds the new version and shows it as the latest.
    const made = await makeCentralReport({
      db: owner.db,
      sessionId: s.id,
      workerId: 'e2e-worker',
      jobId: null,
    });
    expect(made).toMatchObject({ outcome: 'filed', version: 1, reason: 'decision' });
    const reportId = made.outcome === 'filed' ? made.reportId : '';
    await expect
      .poll(() => latest.textContent(), { timeout: 30_000 })
      .toContain(`Latest central report: v1 · ${reportId} · decision · made by central worker e2e-worker`);
    const chunks = await owner.query<{ data: Buffer }>(
      `SELECT c.data FROM vigil.blob_chunks c JOIN vigil.blobs b ON b.id = c.blob_id
       WHERE b.sha256 = (SELECT sha256 FROM vigil.report_versions WHERE report_id = $1) ORDER BY c."offset"`,
      [reportId],
    );
    const pdfFile = path.join(t.dir, 'central-report.pdf');
    fs.writeFileSync(pdfFile, Buffer.concat(chunks.map((c) => c.data)));
    const text = await pdfText(pdfFile);
    expect(text).toContain('Session invalidated');
    expect(text).toContain('Confirmed');
    expect(text).toContain('Dismissed');

    await page.keyboard.press('b');
    await expect.poll(() => queue.textContent()).toContain('invalidated');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});

describe('admin console', () => {
  it('lists, exports neutralised CSV and dry-runs retention, accessibly', async () => {
    await t.app.dispatcher.dispatch('consoleSignOut', {}, ctx);
    const context = await browser.newContext({
      viewport: { width: 1400, height: 1000 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    await openConsole(page, '#/admin', 'admin_al');
    const table = page.getByTestId('admin-table');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(5);
    await page.screenshot({ path: artifactPath('review-console', 'admin-lists.png'), fullPage: true });
    await axe(page, 'admin-lists');

    await page.getByRole('button', { name: 'Export CSV' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /^Download vigil-sessions/ }).click(),
    ]);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    expect(csv.split('\r\n')[0]).toBe(
      'id,exam_title,candidate_email,candidate_name,status,risk_score,started_at,ended_at',
    );
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);

    await page.getByRole('button', { name: 'Retention' }).click();
    await page.getByRole('button', { name: 'Dry run' }).click();
    await expect.poll(() => page.getByTestId('receipt').textContent()).toContain('"dryRun": true');
    expect(await page.getByTestId('receipt').textContent()).toContain(examA()[0]!.id);
    await axe(page, 'admin-retention');
    await page.screenshot({ path: artifactPath('review-console', 'admin-retention.png'), fullPage: true });
    for (const tab of ['Exams', 'Enrollment', 'Staff', 'Usage']) {
      await page.getByRole('button', { name: tab, exact: true }).click();
      await expect.poll(() => page.getByRole('heading', { level: 3 }).count()).toBeGreaterThan(0);
      await axe(page, `admin-${tab.toLowerCase()}`);
    }
    // An exam with an accommodation profile, then one candidate enrolled with it: the profile is theirs.
    await page.getByRole('button', { name: 'Exams', exact: true }).click();
    await page.locator('#exam-title').fill('Accommodated exam');
    await page.locator('#exam-accommodations').fill('extra time 50% | 50 | 1x5 | no_gaze');
    await page.getByRole('button', { name: 'Save exam' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^Exam saved: /);
    const [saved] = await owner.query<{ id: string; accommodation_profiles: unknown }>(
      `SELECT id, accommodation_profiles FROM vigil.exams WHERE title = 'Accommodated exam'`,
    );
    expect(saved!.accommodation_profiles).toEqual([
      {
        name: 'extra time 50%',
        extraTimePercent: 50,
        breaks: { count: 1, maxMinutes: 5 },
        detectors: 'no_gaze',
      },
    ]);
    await page.getByRole('button', { name: 'Enrollment', exact: true }).click();
    const examSelect = page.locator('#enroll-exam');
    await expect.poll(() => examSelect.locator('option', { hasText: 'Accommodated exam' }).count()).toBe(1);
    await examSelect.selectOption({ label: 'Accommodated exam' });
    await page.locator('#enroll-accommodation').selectOption('extra time 50%');
    await page.locator('#enroll-candidates').fill('acc@example.org, Acc Candidate');
    await axe(page, 'admin-enrollment-accommodation');
    await page.screenshot({
      path: artifactPath('review-console', 'admin-enrollment-accommodation.png'),
      fullPage: true,
    });
    await page.getByRole('button', { name: 'Create codes' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^1 codes created/);
    expect(
      await owner.query(`SELECT accommodation FROM vigil.enrollments WHERE exam_id = $1`, [saved!.id]),
    ).toEqual([{ accommodation: 'extra time 50%' }]);
    // The dry run deleted nothing.
    expect(await owner.query(`SELECT 1 FROM vigil.sessions WHERE id = $1`, [examA()[0]!.id])).toHaveLength(1);
    await context.close();
  }, 120_000);
});
