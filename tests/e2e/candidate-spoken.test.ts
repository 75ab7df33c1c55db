// Spoken answers and an accommodation profile, end to end in Chromium: the fake microphone speaks
// (espeak-ng), the candidate records a spoken answer with the keyboard, stops, records it again and
// submits it; takes a break between questions (no timer runs, the break is in the evidence chain);
// and lets the second spoken answer run into its time limit, which submits what was recorded. The
// extended limits (extra time 50%) are on screen. Transcription and evaluation go to a local server
// speaking the OpenAI protocol; everything reaches the central PostgreSQL.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../support/fake-openai';
import {
  centralCounts,
  checkScreen,
  enroll,
  passChecks,
  startCandidateEnv,
  type CandidateEnv,
} from '../support/candidate/flow';
import { bins } from '../support/media/fixtures';

const TITLE = 'Spoken answers interview';
const TRANSCRIPT = 'I built a small service that keeps recordings safe when the laptop crashes.';
const KEY_QUESTIONS = [
  { question: 'Tell us, out loud, about a service you built.', time_limit_s: 120 },
  { question: 'In a few words: what does reliability mean to you?', time_limit_s: 10 },
];
const evaluation = {
  question_responses: [0, 1].map((index) => ({ index, score: 6, feedback: 'Spoken clearly.' })),
  professionalism: 70,
  subject_knowledge: 60,
  clarity: 75,
  overall: 66,
  traits: ['Calm'],
  suggestions: ['Give an example.'],
  feedback: 'Good spoken answers.',
};

let env: CandidateEnv;
let fake: FakeOpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  // Slow on purpose: the evaluation must wait for the last answer's transcript.
  fake.setDefault('transcription', () => ({
    kind: 'slow',
    delayMs: 3000,
    then: { kind: 'transcription', text: TRANSCRIPT },
  }));
  fake.setDefault('chat', () => ({
    kind: 'chat',
    content: evaluation,
    usage: { prompt_tokens: 900, completion_tokens: 200 },
  }));
  env = await startCandidateEnv(TITLE, {
    keyQuestions: KEY_QUESTIONS,
    policy: {
      // A practice exam evaluated on the device: the device's own evaluation (OpenAI, after the
      // last transcript) is what this suite checks; an exam that counts is evaluated by the server.
      practice: true,
      evaluation: 'device',
      spokenAnswers: true,
      accommodation: {
        name: 'extra time 50% with a break',
        extraTimePercent: 50,
        breaks: { count: 1, maxMinutes: 2 },
      },
    },
    env: {
      VIGIL_AI_API_KEY: 'sk-test',
      VIGIL_AI_BASE_URL: fake.baseURL,
      VIGIL_AI_TRANSCRIPTION_MODEL: 'whisper-1',
    },
  });
}, 180_000);
afterAll(async () => {
  await env?.close();
  await fake?.close();
});

describe('spoken answers, extra time and a break', () => {
  it('records, re-records and submits spoken answers, pauses for a break, and syncs the audio', async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const shot = (name: string) => checkScreen(page, 'candidate-spoken', name);
    await page.goto(env.host.url);
    await enroll(page, env.code, TITLE);
    await passChecks(page, env, TITLE);

    // Question 1: the extended limit (3:00 for a 2:00 question) is what the candidate sees.
    expect(await page.getByTestId('extra-time').textContent()).toContain('3:00 instead of 2:00');
    expect(await page.getByTestId('timer').textContent()).toMatch(/Time left: (3:00|2:[0-5]\d)/);
    // Keyboard only: focus the control and press Enter.
    await page.getByRole('button', { name: 'Start recording' }).focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('spoken-status').textContent(), { timeout: 20_000 })
      .toMatch(/Recording: 0:0[2-9]/);
    await shot('01-spoken-recording');
    // Focus stays on the control: Enter again stops.
    expect(await page.locator(':focus').textContent()).toBe('Stop recording');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('spoken-status').textContent())
      .toMatch(/Recorded answer: 0:0\d/);
    // Record it again, a little longer, then submit it and take the break.
    await page.getByRole('button', { name: 'Record again' }).click();
    await expect
      .poll(() => page.getByTestId('spoken-status').textContent(), { timeout: 20_000 })
      .toMatch(/Recording: 0:0[3-9]/);
    await page.getByRole('button', { name: 'Stop recording' }).click();
    await expect.poll(() => page.getByTestId('spoken-status').textContent()).toMatch(/Recorded answer/);
    await shot('02-spoken-recorded');
    await page.getByLabel('Written notes (optional)').fill('Local journal, then sync.');
    await page.getByRole('button', { name: 'Submit and take a break' }).click();

    // The break: no question runs; the candidate comes back when ready.
    await page.getByRole('heading', { name: 'Break' }).waitFor();
    expect(await page.getByTestId('break-timer').textContent()).toMatch(/Break time left: (2:00|1:5\d)/);
    expect(await page.getByTestId('question-text').count()).toBe(0);
    await shot('03-break');
    // A reload during the break comes back to the break, not to a running question.
    await page.reload();
    await page.getByRole('heading', { name: 'Break' }).waitFor();
    expect(await page.getByTestId('question-text').count()).toBe(0);
    await page.getByRole('button', { name: 'Continue with question 2' }).click();

    // Question 2: 15 s (10 s + 50%); recording runs into the limit and is submitted by itself.
    await page.getByRole('heading', { name: 'Question 2 of 2' }).waitFor();
    expect(await page.getByTestId('extra-time').textContent()).toContain('0:15 instead of 0:10');
    await page.getByRole('button', { name: 'Start recording' }).click();
    await page.getByRole('heading', { name: /you are done/ }).waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.getByTestId('finish-report').textContent(), { timeout: 180_000 })
      .toMatch(/report VR-/);
    expect(await page.getByTestId('finish-evaluation').textContent()).toMatch(/66 of 100 \(openai\)/);
    await expect
      .poll(() => page.getByTestId('upload-progress').textContent(), { timeout: 180_000, interval: 1000 })
      .toBe('Everything has been sent.');
    await shot('04-finish');
    expect(errors).toEqual([]);

    // On the device: both answers have their audio (speech, not silence) and the transcript.
    const store = await env.app.context.candidate.store();
    const central = await centralCounts(env);
    const sessionId = central!.session.id;
    const answers = store.raw
      .prepare(
        `SELECT q.seq, q.time_limit_s, a.text, a.audio_path, a.audio_mime, a.transcript, a.transcription_status
         FROM questions q JOIN answers a ON a.question_id = q.id WHERE q.session_id = ? ORDER BY q.seq`,
      )
      .all(sessionId) as {
      seq: number;
      time_limit_s: number;
      text: string;
      audio_path: string | null;
      audio_mime: string | null;
      transcript: string | null;
      transcription_status: string;
    }[];
    expect(answers.map((a) => [a.seq, a.time_limit_s])).toEqual([
      [0, 180],
      [1, 15],
    ]);
    for (const a of answers) {
      expect(a.audio_mime).toMatch(/^audio\//);
      expect(fs.statSync(a.audio_path!).size).toBeGreaterThan(1000);
      expect(a).toMatchObject({ transcription_status: 'done', transcript: TRANSCRIPT });
      expect(speechLevelDb(a.audio_path!)).toBeGreaterThan(-50);
    }
    expect(answers[0]!.text).toBe('Local journal, then sync.');
    // No notes on the second answer: its transcript is its text, and the evaluation saw it.
    expect(answers[1]!.text).toBe(TRANSCRIPT);
    const chats = fake.requests.filter((r) => r.path.endsWith('/chat/completions'));
    expect(chats.length).toBeGreaterThanOrEqual(1);
    expect(chats[0]!.body).toContain(TRANSCRIPT);
    expect(fake.requests.filter((r) => r.path.endsWith('/audio/transcriptions'))).toHaveLength(2);

    // The evidence chain has both spoken answers and the break; the break lasted while no timer ran.
    const events = store.raw
      .prepare(`SELECT kind, at, body FROM events WHERE session_id = ? ORDER BY seq`)
      .all(sessionId) as { kind: string; at: string; body: string }[];
    const spokenEvents = events
      .filter((e) => e.kind === 'spoken_answer')
      .map(
        (e) =>
          (JSON.parse(e.body) as { data: { questionIndex: number; bytes: number; durationMs: number } }).data,
      );
    expect(spokenEvents.map((e) => e.questionIndex)).toEqual([0, 1]);
    for (const e of spokenEvents) expect(e.durationMs).toBeGreaterThan(1000);
    const started = events.find((e) => e.kind === 'break_started');
    const ended = events.find((e) => e.kind === 'break_ended');
    expect(JSON.parse(ended!.body)).toMatchObject({ data: { afterQuestion: 1, reason: 'resumed' } });
    const during = store.raw
      .prepare(
        `SELECT count(*) AS n FROM warnings WHERE session_id = ? AND started_at > ? AND started_at < ?`,
      )
      .get(sessionId, started!.at, ended!.at) as { n: number };
    expect(during.n).toBe(0);

    // Central PostgreSQL: both audio files arrived, with the same hashes, and the chain is whole.
    expect(central!.blobs.audio).toBe(2);
    // The answers on their questions (notes, or the transcript), linked to their audio blobs, and the
    // OpenAI evaluation.
    const centralAnswers = await env.central.owner.query<{ answer: string; audio: string; blob: boolean }>(
      `SELECT q.answer_text AS answer, encode(q.answer_audio_sha256, 'hex') AS audio,
              EXISTS (SELECT 1 FROM vigil.blobs b WHERE b.sha256 = q.answer_audio_sha256
                      AND b.kind = 'audio' AND b.completed_at IS NOT NULL) AS blob
       FROM vigil.questions q WHERE q.session_id = $1 ORDER BY q.ordinal`,
      [sessionId],
    );
    const localAudio = store.raw
      .prepare(`SELECT path, sha256 FROM blob_uploads WHERE session_id = ? AND kind = 'audio'`)
      .all(sessionId) as { path: string; sha256: string }[];
    expect(centralAnswers).toEqual(
      answers.map((a) => ({
        answer: a.text,
        audio: localAudio.find((b) => b.path === a.audio_path)!.sha256,
        blob: true,
      })),
    );
    expect(central!.evaluations.map((e) => [e.evaluator, e.overall, e.pdfLinked])).toEqual([
      ['openai', 66, true],
    ]);
    expect(central!.messages).toMatchObject({ interviewer: 2, candidate: 2 });
    expect(central!.events).toBe(central!.distinctSeqs);
    const kinds = await env.central.owner.query<{ kind: string }>(
      `SELECT kind FROM vigil.events WHERE session_id = $1 AND kind IN ('break_started', 'break_ended', 'spoken_answer')`,
      [sessionId],
    );
    expect(kinds.map((k) => k.kind).sort()).toEqual([
      'break_ended',
      'break_started',
      'spoken_answer',
      'spoken_answer',
    ]);
  }, 900_000);
});

/** Mean loudness of a recorded answer: the fake microphone speaks, so it is far above silence. */
function speechLevelDb(file: string): number {
  const run = spawnSync(
    bins().ffmpeg,
    ['-hide_banner', '-nostats', '-i', file, '-af', 'volumedetect', '-f', 'null', '-'],
    {
      encoding: 'utf8',
    },
  );
  const match = /mean_volume: (-?[\d.]+) dB/.exec(run.stderr);
  if (!match) throw new Error(`ffmpeg could not read ${file}: ${run.stderr.slice(-500)}`);
  return Number(match[1]);
}
