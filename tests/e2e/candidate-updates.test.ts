// Updates as the candidate sees them, end to end in Chromium: the React renderer served by the
// headless host, the real services and update state machine, a real central PostgreSQL. Only the
// updater port (electron-updater in the app, which needs the Electron runtime) is scripted here; the
// Electron adapter (src-main/shell/auto-updater.ts) is typechecked, not run. An unsigned update is
// reported and the installed version keeps working; "check again" downloads with a progress bar;
// an exam that needs a newer Vigil says so at the exam list, before consent; "Restart to update" is
// offered there, and neither offered nor performed once an exam is in progress.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrollmentCode, createExam } from '../../src-main/central/admin';
import { appVersion } from '../../src-main/config/app-version';
import type { UpdaterPort } from '../../src-main/update/updater';
import { checkScreen, enroll, startCandidateEnv, type CandidateEnv } from '../support/candidate/flow';

const TITLE = 'Support engineer interview';
const NEWER = '0.9.2';

/** The electron-updater edge, scripted: the first download is refused as unsigned, the next waits. */
class ScriptedUpdater implements UpdaterPort {
  checks = 0;
  downloads = 0;
  installs = 0;
  installOnQuit: boolean | undefined;
  progress: ((percent: number) => void) | undefined;
  release: (() => void) | undefined;
  check = async () => {
    this.checks++;
    return { version: NEWER };
  };
  download = async (onProgress: (percent: number) => void) => {
    this.downloads++;
    if (this.downloads === 1)
      throw Object.assign(
        new Error(`New version ${NEWER} is not signed by the application owner: publisherNames: Vigil`),
        { code: 'ERR_UPDATER_INVALID_SIGNATURE' },
      );
    this.progress = onProgress;
    await new Promise<void>((resolve) => (this.release = resolve));
  };
  setInstallOnQuit = (allowed: boolean) => {
    this.installOnQuit = allowed;
  };
  quitAndInstall = () => {
    this.installs++;
  };
}

const updater = new ScriptedUpdater();
let env: CandidateEnv;
const ctx = { transport: 'host' as const, origin: 'test' };

beforeAll(async () => {
  env = await startCandidateEnv(TITLE, { updater: () => updater });
}, 180_000);
afterAll(async () => env?.close());

describe('updates a candidate can see', () => {
  it('reports a refused update, shows the download, explains an exam that needs it, and restarts only outside the exam', async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const shot = (name: string) => checkScreen(page, 'updates', name);
    await page.goto(env.host.url);
    await enroll(page, env.code, TITLE);

    // The check at start found NEWER, but its download is not signed: reported, the current version works on.
    const alert = page.getByTestId('update-notice').getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/not signed by Vigil's publisher/);
    expect(await alert.textContent()).toContain(`Vigil ${appVersion()} keeps working`);
    expect(await page.getByRole('button', { name: `Start ${TITLE}` }).isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Restart to update' }).count()).toBe(0);
    await shot('01-update-refused');

    // A second exam that needs a newer Vigil than this one: the exam list says why, before consent.
    const other = 'Exam that needs a newer Vigil';
    const otherId = await createExam(env.central.owner.db, {
      title: other,
      type: 'SKL',
      difficulty: 3,
      keyQuestions: [{ question: 'Why?', time_limit_s: 60 }],
      policy: { minAppVersion: '0.9.0' },
    });
    const otherCode = await createEnrollmentCode(env.central.owner.db, {
      candidateId: env.candidateId,
      examId: otherId,
    });
    await page.getByRole('button', { name: 'Enroll another exam' }).click();
    await page.getByLabel('Enrollment code').fill(otherCode.code);
    await page.getByRole('button', { name: 'Enroll' }).click();
    const card = page.getByTestId('exam-card').filter({ hasText: other });
    await expect
      .poll(() => card.getByTestId('exam-version-block').textContent())
      .toContain(`"${other}" needs Vigil 0.9.0 or later; this computer has ${appVersion()}.`);
    expect(await page.getByRole('button', { name: `Start ${other}` }).isDisabled()).toBe(true);

    // Check again: the download starts, with a progress bar a screen reader can read.
    await page.getByRole('button', { name: 'Check for updates again' }).click();
    await expect.poll(() => updater.downloads).toBe(2);
    updater.progress?.(40.2);
    const bar = page.getByRole('progressbar');
    await expect.poll(() => bar.getAttribute('aria-valuenow')).toBe('40');
    expect(await bar.getAttribute('aria-valuemax')).toBe('100');
    expect(await page.getByTestId('update-notice').textContent()).toContain(`Downloading Vigil ${NEWER}`);
    await expect
      .poll(() => card.getByTestId('exam-version-block').textContent())
      .toContain(`Vigil is downloading version ${NEWER}`);
    await shot('02-update-downloading');

    // Downloaded: "Restart to update" in the notice and with the exam that needs it.
    updater.release?.();
    await expect
      .poll(() => page.getByTestId('update-notice').textContent())
      .toContain(`Vigil ${NEWER} is downloaded`);
    await expect
      .poll(() => card.getByTestId('exam-version-block').textContent())
      .toContain(`Version ${NEWER} is already downloaded: restart Vigil`);
    await expect.poll(() => card.getByRole('button', { name: 'Restart to update' }).count()).toBe(1);
    await shot('03-update-ready');
    await page.getByTestId('update-notice').getByRole('button', { name: 'Restart to update' }).click();
    await expect.poll(() => updater.installs).toBe(1);
    expect(updater.installOnQuit).toBe(true);

    // The candidate starts the other exam instead: from consent on, no restart is offered or done.
    await page.getByRole('button', { name: `Start ${TITLE}` }).click();
    await page.getByRole('heading', { name: 'Before you begin' }).waitFor();
    await page.getByLabel(/I have read this and agree/).check();
    await page.getByRole('button', { name: 'I agree, continue' }).click();
    await page.getByRole('heading', { name: 'System check' }).waitFor();
    expect(await page.getByRole('button', { name: 'Restart to update' }).count()).toBe(0);
    const refused = await env.app.dispatcher.dispatch('candidateRestartToUpdate', {}, ctx);
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    if (!refused.ok) expect(refused.error.message).toMatch(/during an exam/);
    expect(updater.installs).toBe(1);
    expect(updater.installOnQuit).toBe(false);
    const status = await env.app.dispatcher.dispatch('candidateUpdateStatus', { checkNow: true }, ctx);
    expect(status).toMatchObject({
      ok: true,
      value: { state: 'ready', examInProgress: true, canRestart: false },
    });
    expect(updater.checks).toBe(2);
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);
});
