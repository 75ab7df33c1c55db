// The candidate's screens driven as a person would (labels and roles only), shared by the end-to-end
// suites: a test environment with a real central PostgreSQL, the app behind the headless host, and
// Chromium with the fake camera and microphone.
import AxeBuilder from '@axe-core/playwright';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { createApp, type VigilApp } from '../../../src-main/app/create-app';
import { AdminService } from '../../../src-main/admin/admin-service';
import { createEnrollmentCode, createExam, createUser } from '../../../src-main/central/admin';
import { loadConfig } from '../../../src-main/config/load';
import { defaultRendererDir } from '../../../src-main/host/renderer-dir';
import { startHost, type RunningHost } from '../../../src-main/host/server';
import { memoryLogger, makeTempDir } from '../app';
import { DEVICE_LOGIN, startCentral, type CentralFixture } from '../central';
import { artifactPath, launchChromium } from '../chromium';
import { makeIdCard } from '../proctoring/id-card';
import { makeCandidateCamera, makeCandidateMicrophone } from './session-media';

export const QUESTIONS = [
  { question: 'Describe a project where you improved the reliability of a system.', time_limit_s: 120 },
  { question: 'How do you make sure recorded data is never lost when a laptop crashes?', time_limit_s: 120 },
];
export const ANSWERS = [
  'I rebuilt the upload service of our video platform: every write went to a local journal first, then a worker ' +
    'synced it with retries and idempotency keys, so a crash lost nothing. Incidents fell from weekly to none.',
  'Write everything to local storage first with fsync, keep an outbox of what is not yet sent, use idempotency ' +
    'keys so retries are safe, and verify hashes when the upload finishes.',
];

export interface CandidateEnv {
  dir: string;
  central: CentralFixture;
  app: VigilApp;
  host: RunningHost;
  browser: Browser;
  examId: string;
  /** The candidate the exam's code was made for (another exam's code can be made for them). */
  candidateId: string;
  code: string;
  /** The exam's start code, when it may start offline (options.offlineStart). */
  startCode?: string;
  idCard: string;
  close(): Promise<void>;
}

export interface CandidateEnvOptions {
  /** The exam's policy (spoken answers, accommodation profile, …). */
  policy?: Record<string, unknown>;
  keyQuestions?: { question: string; time_limit_s: number }[];
  /** Extra configuration through the environment (e.g. the AI endpoint). */
  env?: Record<string, string>;
  /** Issue a start code before enrollment, so the exam can start with the server down. */
  offlineStart?: boolean;
  /** The shell's updater (electron-updater in the app): a scripted one for the update suite. */
  updater?: Parameters<typeof createApp>[0]['updater'];
}

export async function startCandidateEnv(
  title: string,
  options: CandidateEnvOptions = {},
): Promise<CandidateEnv> {
  const dir = makeTempDir('vigil-candidate-e2e-');
  const central = await startCentral();
  const candidateId = await createUser(central.owner.db, {
    email: `${title.replace(/\W+/g, '-')}@candidates.test`,
    role: 'candidate',
    displayName: 'Zoë Łukasiewicz',
  });
  const examId = await createExam(central.owner.db, {
    title,
    type: 'GEN',
    difficulty: 6,
    keyQuestions: options.keyQuestions ?? QUESTIONS,
    uploadMode: 'full',
    retentionDays: 90,
    ...(options.policy ? { policy: options.policy } : {}),
  });
  const startCode = options.offlineStart
    ? (await new AdminService(central.owner.query).issueStartCode(examId)).code
    : undefined;
  const { code } = await createEnrollmentCode(central.owner.db, { candidateId, examId });
  const loaded = loadConfig({
    env: {
      VIGIL_DATA_DIR: path.join(dir, 'data'),
      VIGIL_CENTRAL_URL: central.pg.urlFor(DEVICE_LOGIN),
      VIGIL_CENTRAL_SSL_MODE: 'disable',
      ...options.env,
    },
    policyFile: path.join(dir, 'no-policy.json'),
    home: dir,
  });
  expect(loaded.issues).toEqual([]);
  fs.mkdirSync(loaded.dataDir, { recursive: true });
  const logLines: string[] = [];
  const app = createApp({
    loaded,
    logger: memoryLogger(logLines),
    mode: 'host',
    ...(options.updater ? { updater: options.updater } : {}),
  });
  const host = await startHost({ app, rendererDir: defaultRendererDir(), logger: app.context.logger });
  const media = path.join(dir, 'media');
  fs.mkdirSync(media);
  const browser = await launchChromium({
    fakeVideo: await makeCandidateCamera(media),
    fakeAudio: makeCandidateMicrophone(media),
  });
  const idCard = path.join(dir, 'id-card.png');
  fs.writeFileSync(idCard, await makeIdCard({ face: 'astronaut.jpg' }));
  return {
    dir,
    central,
    app,
    host,
    browser,
    examId,
    candidateId,
    code,
    ...(startCode ? { startCode } : {}),
    idCard,
    close: async () => {
      await browser.close();
      await host.close();
      await app.close();
      // The app's log, kept with the screenshots for whoever has to read a failed CI run.
      fs.writeFileSync(
        artifactPath('e2e', title.replace(/\W+/g, '-').toLowerCase() + '.log'),
        logLines.join(''),
      );
      await central.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot of the screen under test-artifacts and fails on serious accessibility problems. */
export async function checkScreen(page: Page, suite: string, name: string): Promise<void> {
  await page.screenshot({ path: artifactPath('e2e', suite, `${name}.png`), fullPage: true });
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${name}: ${v.id} ${v.help}`)).toEqual([]);
}

export async function enroll(page: Page, code: string, examTitle: string): Promise<void> {
  await page.getByRole('heading', { name: 'Enroll this device' }).waitFor();
  await page.getByLabel('Enrollment code').fill(code);
  await page.getByRole('button', { name: 'Enroll' }).click();
  await page.getByRole('button', { name: `Start ${examTitle}` }).waitFor();
}

/** Consent, system check and ID check, up to the first question. */
export async function passChecks(
  page: Page,
  env: Pick<CandidateEnv, 'idCard' | 'startCode'>,
  examTitle: string,
  screenshot?: (name: string) => Promise<void>,
): Promise<void> {
  await page.getByRole('button', { name: `Start ${examTitle}` }).click();
  await page.getByRole('heading', { name: 'Before you begin' }).waitFor();
  await screenshot?.('03-consent');
  await page.getByLabel(/I have read this and agree/).check();
  // Offline, the exam opens with the start code the proctor reads out in the room.
  const startCode = page.getByLabel(/Start code/);
  if (env.startCode && (await startCode.count()) > 0) await startCode.fill(env.startCode);
  await page.getByRole('button', { name: 'I agree, continue' }).click();

  await page.getByRole('heading', { name: 'System check' }).waitFor();
  await expect
    .poll(() => page.getByTestId('face-status').textContent(), { timeout: 60_000 })
    .toBe('We can see your face.');
  await page.getByRole('button', { name: 'Check my computer' }).click();
  await expect.poll(() => page.getByTestId('check-camera').getAttribute('class')).toContain('pass');
  await expect.poll(() => page.getByTestId('check-displays').getAttribute('class')).toContain('pass');
  await screenshot?.('04-system-check');
  await page.getByRole('button', { name: 'Continue to ID check' }).click();

  await page.getByRole('heading', { name: 'Verify your identity' }).waitFor();
  await page.getByLabel('Upload a photo of your ID').setInputFiles(env.idCard);
  await page.getByTestId('card-ready').waitFor();
  await page.getByRole('button', { name: 'Check my ID' }).click();
  await page
    .getByTestId('id-result')
    .waitFor({ timeout: 180_000 })
    .catch(async (error: unknown) => {
      await page.screenshot({ path: artifactPath('e2e', 'id-check-timeout.png'), fullPage: true });
      throw error;
    });
  expect(await page.getByTestId('id-result').textContent()).toContain('L898902C3');
  await screenshot?.('05-id-verification');
  await page.getByRole('button', { name: 'Continue to the exam' }).click();
  await page.getByRole('heading', { name: `Question 1 of ${QUESTIONS.length}` }).waitFor();
}

/**
 * Answers the current question onward until the finish screen. `recordingFiles`: what the finish
 * screen says about the recording (one merged file in upload mode full; the poster and a clip per
 * warning in flags_only).
 */
export async function answerFrom(
  page: Page,
  first: number,
  recordingFiles: RegExp = /1 file\(s\) queued for upload/,
): Promise<void> {
  for (let i = first; i < QUESTIONS.length; i++) {
    await page.getByRole('heading', { name: `Question ${i + 1} of ${QUESTIONS.length}` }).waitFor();
    expect(await page.getByTestId('question-text').textContent()).toBe(QUESTIONS[i]!.question);
    if ((await page.getByLabel('Your answer').inputValue()) !== ANSWERS[i]) {
      await page.getByLabel('Your answer').fill(ANSWERS[i]!);
    }
    const last = i === QUESTIONS.length - 1;
    await page.getByRole('button', { name: last ? 'Submit and finish' : 'Submit and continue' }).click();
  }
  await page.getByRole('heading', { name: /you are done/ }).waitFor({ timeout: 120_000 });
  await page.getByTestId('receipt').waitFor({ timeout: 60_000 });
  await expect
    .poll(() => page.getByTestId('finish-report').textContent(), { timeout: 180_000 })
    .toMatch(/report VR-/);
  // The exam counts: the server evaluates it, and the device says so instead of scoring it.
  expect(await page.getByTestId('finish-evaluation').textContent()).toMatch(/evaluated by the server/);
  expect(await page.getByTestId('finish-recording').textContent()).toMatch(recordingFiles);
}

/** What reached the central PostgreSQL for the exam's session, counted by kind. */
export async function centralCounts(env: CandidateEnv) {
  const q = env.central.owner.query;
  const [session] = await q<{ id: string; status: string }>(
    'SELECT id::text, status FROM vigil.sessions WHERE exam_id = $1',
    [env.examId],
  );
  if (!session) return undefined;
  const rows = async (sql: string) =>
    (await q<{ k: string; n: string }>(sql, [session.id])).map((r) => [r.k, Number(r.n)]);
  const warnings = Object.fromEntries(
    await rows(
      'SELECT type AS k, count(*)::text AS n FROM vigil.warnings WHERE session_id = $1 GROUP BY type',
    ),
  ) as Record<string, number>;
  const blobs = Object.fromEntries(
    await rows(
      `SELECT kind AS k, count(*)::text AS n FROM vigil.blobs WHERE session_id = $1 AND completed_at IS NOT NULL GROUP BY kind`,
    ),
  ) as Record<string, number>;
  const [events] = await q<{ n: string; seqs: string }>(
    'SELECT count(*)::text AS n, count(DISTINCT seq)::text AS seqs FROM vigil.events WHERE session_id = $1',
    [session.id],
  );
  // Questions (answers on their rows), messages by role and the evaluation: ids are primary keys,
  // so exactly once means one row per local question, message and session.
  const questions = await q<{ ordinal: number; text: string; answer: string | null; answered: boolean }>(
    `SELECT ordinal, text, answer_text AS answer, answered_at IS NOT NULL AS answered
     FROM vigil.questions WHERE session_id = $1 ORDER BY ordinal`,
    [session.id],
  );
  const messages = Object.fromEntries(
    await rows(
      'SELECT role AS k, count(*)::text AS n FROM vigil.messages WHERE session_id = $1 GROUP BY role',
    ),
  ) as Record<string, number>;
  // The device's evaluations (none for an exam the server evaluates); pdfLinked: the evaluation
  // names the report PDF, and that blob arrived whole.
  const evaluations = await q<{ evaluator: string; overall: number; pdfLinked: boolean }>(
    `SELECT e.evaluator, e.overall, EXISTS (SELECT 1 FROM vigil.blobs b WHERE b.sha256 = e.pdf_sha256
              AND b.kind = 'pdf' AND b.completed_at IS NOT NULL) AS "pdfLinked"
     FROM vigil.evaluations e WHERE e.session_id = $1`,
    [session.id],
  );
  return {
    session,
    warnings,
    blobs,
    events: Number(events!.n),
    distinctSeqs: Number(events!.seqs),
    questions,
    messages,
    evaluations,
  };
}

/** The interview content every completed candidate session must have in central. */
export function expectInterviewContent(
  central: NonNullable<Awaited<ReturnType<typeof centralCounts>>>,
): void {
  expect(central.questions).toEqual(
    QUESTIONS.map((q, i) => ({ ordinal: i, text: q.question, answer: ANSWERS[i], answered: true })),
  );
  expect(central.messages).toEqual({ system: 1, interviewer: QUESTIONS.length, candidate: QUESTIONS.length });
  // The server evaluates the exam: the device sent no evaluation (its report PDF still arrives).
  expect(central.evaluations).toEqual([]);
}
