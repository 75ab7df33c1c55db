// A whole GEN interview, end to end: real Chromium with a fake webcam fed from real face photos and a
// fake microphone speaking, the React renderer served by the headless host, the real services, and a
// real PostgreSQL as the central server. Enrollment → consent → system check → ID → interview →
// finish; then every row and blob must be in PostgreSQL exactly once.
import AxeBuilder from '@axe-core/playwright';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type VigilApp } from '../../src-main/app/create-app';
import { createEnrollmentCode, createExam, createUser } from '../../src-main/central/admin';
import { loadConfig } from '../../src-main/config/load';
import { defaultRendererDir } from '../../src-main/host/renderer-dir';
import { startHost, type RunningHost } from '../../src-main/host/server';
import { memoryLogger, makeTempDir } from '../support/app';
import { DEVICE_LOGIN, startCentral, type CentralFixture } from '../support/central';
import { makeCandidateCamera, makeCandidateMicrophone } from '../support/candidate/session-media';
import { artifactPath, launchChromium } from '../support/chromium';
import { makeIdCard } from '../support/proctoring/id-card';

const QUESTIONS = [
  { question: 'Describe a project where you improved the reliability of a system.', time_limit_s: 120 },
  { question: 'How do you make sure recorded data is never lost when a laptop crashes?', time_limit_s: 120 },
];
const ANSWERS = [
  'I rebuilt the upload service of our video platform: every write went to a local journal first, then a worker ' +
    'synced it with retries and idempotency keys, so a crash lost nothing. Incidents fell from weekly to none.',
  'Write everything to local storage first with fsync, keep an outbox of what is not yet sent, use idempotency ' +
    'keys so retries are safe, and verify hashes when the upload finishes.',
];

let central: CentralFixture;
let app: VigilApp;
let host: RunningHost;
let browser: Browser;
let dir: string;
let code: string;
let examId: string;
const screens: string[] = [];

async function checkScreen(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: artifactPath('e2e', 'candidate', `${String(screens.length + 1).padStart(2, '0')}-${name}.png`), fullPage: true });
  screens.push(name);
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${name}: ${v.id} ${v.help}`)).toEqual([]);
}

beforeAll(async () => {
  dir = makeTempDir('vigil-candidate-e2e-');
  central = await startCentral();
  const candidateId = await createUser(central.owner.db, {
    email: 'zoe@candidates.test',
    role: 'candidate',
    displayName: 'Zoë Łukasiewicz',
  });
  examId = await createExam(central.owner.db, {
    title: 'Platform engineer interview',
    type: 'GEN',
    difficulty: 6,
    keyQuestions: QUESTIONS,
    uploadMode: 'full',
    retentionDays: 90,
  });
  code = (await createEnrollmentCode(central.owner.db, { candidateId, examId })).code;

  const loaded = loadConfig({
    env: {
      VIGIL_DATA_DIR: path.join(dir, 'data'),
      VIGIL_CENTRAL_URL: central.pg.urlFor(DEVICE_LOGIN),
      VIGIL_CENTRAL_SSL_MODE: 'disable',
    },
    policyFile: path.join(dir, 'no-policy.json'),
    home: dir,
  });
  expect(loaded.issues).toEqual([]);
  fs.mkdirSync(loaded.dataDir, { recursive: true });
  app = createApp({ loaded, logger: memoryLogger([]), mode: 'host' });
  host = await startHost({ app, rendererDir: defaultRendererDir(), logger: app.context.logger });
  const media = path.join(dir, 'media');
  fs.mkdirSync(media);
  browser = await launchChromium({
    fakeVideo: await makeCandidateCamera(media),
    fakeAudio: makeCandidateMicrophone(media),
  });
  fs.writeFileSync(path.join(dir, 'id-card.png'), await makeIdCard({ face: 'astronaut.jpg' }));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await app?.close();
  await central?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('candidate interview, end to end', () => {
  it('runs a whole proctored GEN interview and syncs everything exactly once', async () => {
    const context = await browser.newContext(); // axe-core needs a page from an explicit context
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.url);

    // Enroll: a wrong code first, then the real one.
    await expect.poll(() => page.getByRole('heading', { name: 'Enroll this device' }).count()).toBe(1);
    await checkScreen(page, 'enroll');
    await page.getByLabel('Enrollment code').fill('ZZZZ-ZZZZ-ZZZZ');
    await page.getByRole('button', { name: 'Enroll' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/code/i);
    await page.getByLabel('Enrollment code').fill(code);
    await page.getByRole('button', { name: 'Enroll' }).click();

    await page.getByRole('button', { name: 'Start Platform engineer interview' }).waitFor();
    await checkScreen(page, 'exams');
    await page.getByRole('button', { name: 'Start Platform engineer interview' }).click();

    // Consent before any capture.
    await page.getByRole('heading', { name: 'Before you begin' }).waitFor();
    await checkScreen(page, 'consent');
    await page.getByLabel(/I have read this and agree/).check();
    await page.getByRole('button', { name: 'I agree, continue' }).click();

    // System check with the live face result.
    await page.getByRole('heading', { name: 'System check' }).waitFor();
    await expect.poll(() => page.getByTestId('face-status').textContent(), { timeout: 60_000 }).toBe(
      'We can see your face.',
    );
    await page.getByRole('button', { name: 'Check my computer' }).click();
    await expect.poll(() => page.getByTestId('check-camera').getAttribute('class')).toContain('pass');
    await expect.poll(() => page.getByTestId('check-displays').getAttribute('class')).toContain('pass');
    await expect.poll(() => page.getByTestId('check-server').getAttribute('class')).toContain('pass');
    await checkScreen(page, 'system-check');
    await page.getByRole('button', { name: 'Continue to ID check' }).click();

    // ID check with an uploaded photo of the card.
    await page.getByRole('heading', { name: 'Verify your identity' }).waitFor();
    await page.getByLabel('Upload a photo of your ID').setInputFiles(path.join(dir, 'id-card.png'));
    await page.getByTestId('card-ready').waitFor();
    await page.getByRole('button', { name: 'Check my ID' }).click();
    await page.getByTestId('id-result').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('id-result').textContent()).toContain('L898902C3');
    await checkScreen(page, 'id-verification');
    await page.getByRole('button', { name: 'Continue to the exam' }).click();

    // Interview: the first question, then wait until the camera's scripted stretches are noticed.
    await page.getByRole('heading', { name: 'Question 1 of 2' }).waitFor();
    expect(await page.getByTestId('question-text').textContent()).toBe(QUESTIONS[0]!.question);
    await page.getByLabel('Your answer').fill(ANSWERS[0]!);
    await checkScreen(page, 'interview');
    await expect
      .poll(() => page.getByTestId('notices').textContent(), { timeout: 90_000, interval: 500 })
      .toContain("We can't see your face");
    await expect
      .poll(() => page.getByTestId('notices').textContent(), { timeout: 60_000, interval: 500 })
      .toContain('more than one face');

    // Reload mid-question: the same question comes back with the draft kept.
    await page.waitForTimeout(1000); // let the autosave of the draft land
    await page.reload();
    await page.getByRole('heading', { name: 'Question 1 of 2' }).waitFor();
    await expect.poll(() => page.getByLabel('Your answer').inputValue()).toBe(ANSWERS[0]!);
    await page.getByRole('button', { name: 'Submit and continue' }).click();
    await page.getByRole('heading', { name: 'Question 2 of 2' }).waitFor();
    await page.getByLabel('Your answer').fill(ANSWERS[1]!);
    await page.getByRole('button', { name: 'Submit and finish' }).click();

    // Finish: evaluation, report, uploads, receipt.
    await page.getByRole('heading', { name: /you are done/ }).waitFor({ timeout: 120_000 });
    await page.getByTestId('receipt').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('finish-report').textContent(), { timeout: 120_000 }).toMatch(/report VR-/);
    expect(await page.getByTestId('finish-evaluation').textContent()).toMatch(/\d+ of 100 \(local\)/);
    expect(await page.getByTestId('finish-recording').textContent()).toMatch(/1 file\(s\) queued for upload/);
    await expect.poll(() => page.getByTestId('upload-progress').textContent(), { timeout: 120_000 }).toBe(
      'Everything has been sent.',
    );
    await checkScreen(page, 'finish');
    const receipt = await page.getByTestId('receipt').textContent();
    expect(errors).toEqual([]);

    // Central PostgreSQL: the session, its warnings with snapshots, its answers, evaluation and blobs.
    const q = central.owner.query;
    const [session] = await q<{ id: string; status: string }>(
      'SELECT id::text, status FROM vigil.sessions WHERE exam_id = $1',
      [examId],
    );
    expect(session?.status).toBe('completed');
    expect(receipt).toContain(session!.id);
    const warnings = await q<{ type: string; n: string }>(
      'SELECT type, count(*)::text AS n FROM vigil.warnings WHERE session_id = $1 GROUP BY type',
      [session!.id],
    );
    const types = Object.fromEntries(warnings.map((w) => [w.type, Number(w.n)]));
    expect(types.no_face).toBeGreaterThanOrEqual(1);
    expect(types.multiple_faces).toBeGreaterThanOrEqual(1);
    const dupes = await q<{ n: string }>(
      `SELECT count(*)::text AS n FROM (SELECT session_id, seq FROM vigil.events WHERE session_id = $1
        GROUP BY session_id, seq HAVING count(*) > 1) d`,
      [session!.id],
    );
    expect(dupes[0]?.n).toBe('0');
    const blobs = await q<{ kind: string; n: string }>(
      `SELECT kind, count(*)::text AS n FROM vigil.blobs WHERE session_id = $1 AND completed_at IS NOT NULL GROUP BY kind`,
      [session!.id],
    );
    const blobKinds = Object.fromEntries(blobs.map((b) => [b.kind, Number(b.n)]));
    expect(blobKinds.snapshot).toBeGreaterThanOrEqual(2);
    expect(blobKinds.video).toBe(1);
    expect(blobKinds.pdf).toBe(1);
  }, 600_000);
});
