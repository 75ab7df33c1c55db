// A whole GEN interview, end to end: real Chromium with a fake webcam fed from real face photos and a
// fake microphone speaking, the React renderer served by the headless host, the real services, and a
// real PostgreSQL as the central server. Enrollment → consent → system check → ID → interview (with a
// reload in the middle of a question) → finish; then every row and blob is in PostgreSQL exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANSWERS,
  QUESTIONS,
  answerFrom,
  centralCounts,
  expectInterviewContent,
  checkScreen,
  passChecks,
  startCandidateEnv,
  type CandidateEnv,
} from '../support/candidate/flow';
import { createEnrollmentCode, createExam } from '../../src-main/central/admin';

const TITLE = 'Platform engineer interview';
let env: CandidateEnv;

beforeAll(async () => {
  env = await startCandidateEnv(TITLE);
}, 180_000);
afterAll(async () => env?.close());

describe('candidate interview, end to end', () => {
  it('runs a whole proctored GEN interview and syncs everything exactly once', async () => {
    const context = await env.browser.newContext(); // axe-core needs a page from an explicit context
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const shot = (name: string) => checkScreen(page, 'candidate', name);
    await page.goto(env.host.url);

    // Enroll: a wrong code first (a clear error), then the real one.
    await page.getByRole('heading', { name: 'Enroll this device' }).waitFor();
    await shot('01-enroll');
    await page.getByLabel('Enrollment code').fill('ZZZZ-ZZZZ-ZZZZ');
    await page.getByRole('button', { name: 'Enroll' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/code/i);
    await page.getByLabel('Enrollment code').fill(env.code);
    await page.getByRole('button', { name: 'Enroll' }).click();
    await page.getByRole('button', { name: `Start ${TITLE}` }).waitFor();
    await shot('02-exams');

    // A second exam on the same installation: "Enroll another exam" takes its code, both are listed.
    const other = 'Second exam on this laptop';
    const otherId = await createExam(env.central.owner.db, {
      title: other,
      type: 'SKL',
      difficulty: 3,
      keyQuestions: [{ question: 'Why?', time_limit_s: 60 }],
    });
    const otherCode = await createEnrollmentCode(env.central.owner.db, {
      candidateId: env.candidateId,
      examId: otherId,
    });
    await page.getByRole('button', { name: 'Enroll another exam' }).click();
    await page.getByRole('heading', { name: 'Enroll another exam' }).waitFor();
    await shot('02b-enroll-another');
    await page.getByLabel('Enrollment code').fill(otherCode.code);
    await page.getByRole('button', { name: 'Enroll', exact: true }).click();
    await page.getByRole('button', { name: `Start ${other}` }).waitFor();
    expect(await page.getByTestId('exam-card').getByRole('heading').allTextContents()).toEqual([
      TITLE,
      other,
    ]);
    expect(await page.getByTestId('exam-state').allTextContents()).toEqual([
      'Not started yet.',
      'Not started yet.',
    ]);
    await shot('02c-two-exams');

    await passChecks(page, env, TITLE, shot);
    expect(await page.getByTestId('question-text').textContent()).toBe(QUESTIONS[0]!.question);
    await page.getByLabel('Your answer').fill(ANSWERS[0]!);
    await shot('06-interview');

    // The camera's scripted stretches (nobody, then two people) reach the candidate as calm notices.
    await expect
      .poll(() => page.getByTestId('notices').textContent(), { timeout: 90_000, interval: 500 })
      .toContain("We can't see your face");
    await expect
      .poll(() => page.getByTestId('notices').textContent(), { timeout: 60_000, interval: 500 })
      .toContain('more than one face');
    await shot('07-interview-notice');

    // Reload in the middle of the question: the same question comes back with the draft kept, and
    // the recording continues in a new segment.
    await page.waitForTimeout(1000); // the draft autosaves 0.7 s after typing stops
    await page.reload();
    await page.getByRole('heading', { name: 'Question 1 of 2' }).waitFor();
    await expect.poll(() => page.getByLabel('Your answer').inputValue()).toBe(ANSWERS[0]!);
    await expect
      .poll(() => page.getByTestId('recording-status').textContent(), { timeout: 20_000 })
      .toMatch(/recording, [1-9]\d* parts saved/);

    await answerFrom(page, 0);
    await expect
      .poll(() => page.getByTestId('upload-progress').textContent(), { timeout: 180_000 })
      .toBe('Everything has been sent.');
    await shot('08-finish');
    const receipt = await page.getByTestId('receipt').textContent();
    expect(errors).toEqual([]);

    // Central PostgreSQL: the session, its warnings with snapshots, its evidence chain, its blobs.
    const central = await centralCounts(env);
    expect(central?.session.status).toBe('completed');
    expect(receipt).toContain(central!.session.id);
    expect(central!.warnings.no_face).toBeGreaterThanOrEqual(1);
    expect(central!.warnings.multiple_faces).toBeGreaterThanOrEqual(1);
    // The reload hid the page while it unloaded: not a focus loss (the page reports focus in a browser).
    expect(central!.warnings.focus_lost).toBeUndefined();
    expect(central!.events).toBe(central!.distinctSeqs); // each event exactly once
    expect(receipt).toContain(`(${central!.events} events)`);
    expect(central!.blobs).toMatchObject({ id_image: 1, video: 1, pdf: 1 });
    expect(central!.blobs.snapshot).toBeGreaterThanOrEqual(2);
    // The interview content: both answers on their questions, the conversation, the evaluation.
    expectInterviewContent(central!);
  }, 900_000);
});
