// The same interview with the central server down from the moment the device is enrolled until after
// the candidate has finished: the exam runs in full from the device, the screens say it is offline,
// nothing is lost, and everything arrives exactly once when the server comes back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerFrom,
  centralCounts,
  expectInterviewContent,
  checkScreen,
  enroll,
  passChecks,
  startCandidateEnv,
  type CandidateEnv,
} from '../support/candidate/flow';

const TITLE = 'Offline data engineer interview';
let env: CandidateEnv;

beforeAll(async () => {
  // Allowed to start offline: the proctor hands out the start code in the room.
  env = await startCandidateEnv(TITLE, { offlineStart: true });
}, 180_000);
afterAll(async () => env?.close());

describe('candidate interview with the central server down', () => {
  it('takes the whole exam offline and syncs exactly once when the server returns', async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    await page.goto(env.host.url);
    await enroll(page, env.code, TITLE);

    await env.central.pg.pause(); // the server is gone for the whole interview
    await page.reload();
    await expect
      .poll(() => page.getByRole('status').first().textContent(), { timeout: 20_000 })
      .toContain('You are offline');
    await checkScreen(page, 'candidate-offline', '01-exams-offline');
    await passChecks(page, env, TITLE);
    await expect
      .poll(() => page.getByTestId('connection-status').textContent(), { timeout: 30_000 })
      .toContain('offline — everything is saved on this computer');
    await answerFrom(page, 0);
    await expect
      .poll(() => page.getByTestId('upload-progress').textContent(), { timeout: 30_000 })
      .toMatch(/^\d+ items \(.+\) waiting to be sent\.$/);
    await checkScreen(page, 'candidate-offline', '02-finish-offline');

    await env.central.pg.resume();
    await expect
      .poll(() => page.getByTestId('upload-progress').textContent(), { timeout: 240_000, interval: 1000 })
      .toBe('Everything has been sent.');
    const central = await centralCounts(env);
    expect(central?.session.status).toBe('completed');
    expect(central!.events).toBe(central!.distinctSeqs);
    expect(central!.blobs).toMatchObject({ id_image: 1, video: 1, pdf: 1 });
    // The interview content: both answers on their questions, the conversation, the evaluation.
    expectInterviewContent(central!);
  }, 900_000);
});
