// kill -9 of the app in the middle of a question, as a candidate would live it: the headless host
// runs as a child process (`vigil host`), the candidate's Chromium page is at question 1 with a
// typed draft when the host is killed; the host starts again on the same data folder and port, the
// same page opens its new link and is back at question 1 with the draft and the time it had left,
// and the candidate finishes. Central (a real PostgreSQL, nothing seeded but the exam and the
// enrollment code an admin makes) shows one session, completed, with the interruption recorded.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrollmentCode, createExam, createUser } from '../../../src-main/central/admin';
import { makeTempDir } from '../../support/app';
import { ANSWERS, QUESTIONS, answerFrom, enroll, passChecks } from '../../support/candidate/flow';
import { makeCandidateCamera, makeCandidateMicrophone } from '../../support/candidate/session-media';
import { DEVICE_LOGIN, startCentral, type CentralFixture } from '../../support/central';
import { artifactPath, launchChromium } from '../../support/chromium';
import { makeIdCard } from '../../support/proctoring/id-card';

const TITLE = 'Crash-safe interview';
let dir: string;
let central: CentralFixture;
let browser: Browser;
let idCard: string;
let code: string;
let examId: string;
let port: number;
const hosts: ChildProcess[] = [];
const log: string[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as net.AddressInfo;
      server.close(() => resolve(p));
    });
  });
}

/** `vigil host` as its own process; resolves with the link it prints (a one-time token each start). */
function startHost(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.resolve('bin/vigil.mjs'), 'host', '--port', String(port)], {
    env: {
      ...process.env,
      HOME: dir,
      VIGIL_DATA_DIR: path.join(dir, 'data'),
      VIGIL_POLICY_FILE: path.join(dir, 'no-policy.json'),
      VIGIL_CENTRAL_URL: central.pg.urlFor(DEVICE_LOGIN),
      VIGIL_CENTRAL_SSL_MODE: 'disable',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  hosts.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stderr.on('data', (d: Buffer) => log.push(d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      log.push(d.toString());
      const url = /http:\/\/127\.0\.0\.1:\d+\/\S+/.exec(out)?.[0];
      if (url) resolve({ child, url });
    });
    child.once('exit', (status) => reject(new Error(`vigil host exited (${status}): ${log.join('')}`)));
  });
}

beforeAll(async () => {
  dir = makeTempDir('vigil-host-kill9-');
  central = await startCentral();
  const candidateId = await createUser(central.owner.db, {
    email: 'crash-safe@candidates.test',
    role: 'candidate',
    displayName: 'Ada Crash',
  });
  examId = await createExam(central.owner.db, {
    title: TITLE,
    type: 'GEN',
    difficulty: 5,
    keyQuestions: QUESTIONS,
    uploadMode: 'full',
    retentionDays: 90,
  });
  ({ code } = await createEnrollmentCode(central.owner.db, { candidateId, examId }));
  const media = path.join(dir, 'media');
  fs.mkdirSync(media);
  browser = await launchChromium({
    fakeVideo: await makeCandidateCamera(media),
    fakeAudio: makeCandidateMicrophone(media),
  });
  idCard = path.join(dir, 'id-card.png');
  fs.writeFileSync(idCard, await makeIdCard({ face: 'astronaut.jpg' }));
  port = await freePort();
}, 180_000);

afterAll(async () => {
  for (const child of hosts) if (child.exitCode === null) child.kill('SIGKILL');
  await browser?.close();
  fs.writeFileSync(artifactPath('fault', 'host-kill9-resume.log'), log.join(''));
  await central?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function remaining(page: Page): Promise<number> {
  const text = (await page.getByTestId('timer').textContent()) ?? '';
  const [m, s] = text
    .replace(/[^\d:]/g, '')
    .split(':')
    .map(Number);
  return m! * 60 + s!;
}

describe('kill -9 of the app mid-question', () => {
  it('the same page resumes at that question with its draft and finishes; central has one finished session', async () => {
    const first = await startHost();
    const page = await browser.newPage();
    await page.goto(first.url);
    await enroll(page, code, TITLE);
    await passChecks(page, { idCard }, TITLE);
    await page.getByLabel('Your answer').fill(ANSWERS[0]!);
    await page.waitForTimeout(4000); // the draft autosaves 0.7 s after typing; the question runs on
    const leftBefore = await remaining(page);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    await page.waitForTimeout(3000); // the app is down for a few seconds

    const second = await startHost();
    // The new link differs only in its #token: the same page loads it again (a hash change alone
    // would not reload the renderer).
    await page.goto(second.url);
    await page.reload();
    await page
      .getByRole('heading', { name: `Question 1 of ${QUESTIONS.length}` })
      .waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByLabel('Your answer').inputValue()).toBe(ANSWERS[0]!);
    // Its clock went on from where it stopped: not its full time, and the downtime not counted.
    const leftAfter = await remaining(page);
    expect(leftAfter).toBeLessThan(QUESTIONS[0]!.time_limit_s);
    expect(leftAfter).toBeGreaterThanOrEqual(leftBefore - 8);
    await answerFrom(page, 0);
    await expect
      .poll(() => page.getByTestId('upload-progress').textContent(), { timeout: 180_000 })
      .toBe('Everything has been sent.');

    const q = central.owner.query;
    const sessions = await q<{ id: string; status: string }>(
      'SELECT id::text, status FROM vigil.sessions WHERE exam_id = $1',
      [examId],
    );
    expect(sessions.map((s) => s.status)).toEqual(['completed']);
    const sessionId = sessions[0]!.id;
    const [interruption] = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM vigil.warnings WHERE session_id = $1 AND type = 'app_interrupted'`,
      [sessionId],
    );
    expect(interruption!.n).toBe(1);
    const kinds = (
      await q<{ kind: string }>(`SELECT kind FROM vigil.events WHERE session_id = $1 ORDER BY seq`, [
        sessionId,
      ])
    ).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'interview_resumed')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'interview_started')).toHaveLength(1);
    expect(kinds.indexOf('interview_resumed')).toBeLessThan(kinds.indexOf('session_finished'));
    const [video] = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM vigil.blobs WHERE session_id = $1 AND kind = 'video' AND completed_at IS NOT NULL`,
      [sessionId],
    );
    expect(video!.n).toBe(1);
    second.child.kill('SIGTERM');
  });
});
