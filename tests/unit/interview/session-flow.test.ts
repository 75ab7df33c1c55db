// The session flow: questions in order, time limits on a monotonic clock (moved by hand), the answer
// being typed kept when the limit strikes, spoken answers stored and transcribed (by their job), ordered messages,
// and an end that only enqueues evaluation.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../../src-main/errors';
import { openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
import { InterviewSessionFlow, type Transcriber } from '../../../src-main/interview/session-flow';
import { InterviewRepository } from '../../../src-main/interview/session-repository';
import { ExamSchema, type Exam } from '../../../src-main/interview/types';
import { enqueueTranscription, registerTranscriptionJob } from '../../../src-main/session/after-session-jobs';
import { JobRunner } from '../../../src-main/store/job-runner';
import { jobState } from '../../../src-main/store/jobs';
import { ManualClock } from '../../support/manual-clock';

const exam: Exam = ExamSchema.parse({
  id: 'exam-1',
  title: 'Backend engineer',
  type: 'SKL',
  difficulty: 7,
  key_questions: [
    { question: 'What is an index?', time_limit_s: 60 },
    { question: 'Tell us about an incident.', time_limit_s: 90 },
    { question: 'Why this role?', time_limit_s: 30 },
  ],
});

let db: LocalStore;
let repo: InterviewRepository;
let clock: ManualClock;
let dir: string;
let ended: string[];

/** The answer's transcription job, as interview-extras.ts enqueues it, run by the device's runner. */
async function transcribeInJob(transcriber: Transcriber, questionId: string): Promise<void> {
  const runner = new JobRunner({ store: db, baseBackoffMs: 1, maxBackoffMs: 1 });
  registerTranscriptionJob(runner, { store: db, transcriber });
  db.write('spoken answer', (tx) => enqueueTranscription(tx, 'sess-1', questionId));
  runner.start();
  await expect.poll(() => jobState(db, 'transcription', questionId)?.status).toMatch(/^(done|failed)$/);
  await runner.stop();
}

function start(transcriber?: Transcriber) {
  return InterviewSessionFlow.start(
    {
      repo,
      clock,
      scheduler: clock,
      audioDir: dir,
      transcriber: transcriber ?? null,
      onEnded: (id) => ended.push(id),
    },
    { sessionId: 'sess-1', exam, userId: 'cand-1', jobListingText: 'Payments API' },
  );
}

beforeEach(async () => {
  db = await openLocalStore(':memory:');
  repo = new InterviewRepository(db);
  clock = new ManualClock();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-flow-'));
  ended = [];
});
afterEach(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('interview session flow', () => {
  it('asks questions in order and shows the remaining time from the monotonic clock', () => {
    const flow = start();
    expect(flow.state().current).toMatchObject({ index: 0, text: 'What is an index?', remainingMs: 60_000 });
    clock.advance(15_000);
    expect(flow.state().current!.remainingMs).toBe(45_000);
    const q0 = flow.state().current!.id;
    flow.submit(q0, 'A B-tree.');
    expect(flow.state().current).toMatchObject({ index: 1, remainingMs: 90_000 });
    expect(repo.answer(q0)).toMatchObject({
      text: 'A B-tree.',
      elapsedMs: 15_000,
      timedOut: false,
      final: true,
    });
  });

  it('saves the answer still being typed when the limit strikes and closes the question', () => {
    const flow = start();
    const q0 = flow.state().current!.id;
    clock.advance(20_000);
    flow.saveDraft(q0, 'An index is a');
    clock.advance(39_000);
    flow.saveDraft(q0, 'An index is a sorted structure that');
    clock.advance(1_000); // the limit: the scheduler fires without any call from the candidate
    expect(repo.answer(q0)).toMatchObject({
      text: 'An index is a sorted structure that',
      timedOut: true,
      final: true,
      elapsedMs: 60_000,
    });
    expect(repo.questions('sess-1')[0]).toMatchObject({ closeReason: 'time_limit' });
    expect(flow.state().current).toMatchObject({ index: 1 });
  });

  it('takes final text that arrives within the grace period after the limit, and refuses it later', () => {
    const flow = start();
    const q0 = flow.state().current!.id;
    flow.saveDraft(q0, 'Half an');
    clock.advance(60_500);
    flow.submit(q0, 'Half an answer, flushed at the limit.');
    expect(repo.answer(q0)).toMatchObject({ text: 'Half an answer, flushed at the limit.', timedOut: true });
    expect(repo.messages('sess-1').find((m) => m.questionId === q0 && m.role === 'user')!.content).toBe(
      'Half an answer, flushed at the limit.',
    );
    clock.advance(5_000);
    expect(() => flow.submit(q0, 'much later')).toThrow(VigilError);
    expect(repo.answer(q0)!.text).toBe('Half an answer, flushed at the limit.');
  });

  it('records a spoken answer and transcribes it in its job', async () => {
    const calls: string[] = [];
    const transcriber: Transcriber = {
      transcribe: async (req) => {
        calls.push(`${req.fileName} ${req.mimeType} ${req.audio.length}`);
        return 'Spoken: a B-tree over the column.';
      },
    };
    const flow = start(transcriber);
    const q0 = flow.state().current!.id;
    clock.advance(10_000);
    flow.recordSpokenAnswer(q0, { bytes: Buffer.from('webm-bytes'), mimeType: 'audio/webm;codecs=opus' });
    expect(repo.answer(q0)).toMatchObject({
      transcriptionStatus: 'pending',
      audioMime: 'audio/webm;codecs=opus',
    });
    await transcribeInJob(transcriber, q0);
    const answer = repo.answer(q0)!;
    expect(answer).toMatchObject({
      transcriptionStatus: 'done',
      transcript: 'Spoken: a B-tree over the column.',
    });
    expect(answer.text).toBe('Spoken: a B-tree over the column.');
    expect(fs.readFileSync(answer.audioPath!, 'utf8')).toBe('webm-bytes');
    expect(calls).toEqual(['answer-01.webm audio/webm;codecs=opus 10']);
    expect(flow.state().current!.index).toBe(1);
  });

  it('keeps spoken answers without a transcript when no transcription endpoint is configured or it fails', async () => {
    let attempts = 0;
    const offline: Transcriber = {
      transcribe: async () => {
        attempts += 1;
        throw new Error('offline');
      },
    };
    const flow = start(offline);
    const q0 = flow.state().current!.id;
    flow.recordSpokenAnswer(q0, { bytes: Buffer.from('x'), mimeType: 'audio/ogg' });
    expect(repo.answer(q0)).toMatchObject({ transcriptionStatus: 'pending' });
    await transcribeInJob(offline, q0);
    // Retried a few times, then given up: the evaluation goes on without the transcript.
    expect(attempts).toBe(3);
    expect(jobState(db, 'transcription', q0)).toMatchObject({
      status: 'failed',
      lastError: { message: 'offline' },
    });
    expect(repo.answer(q0)).toMatchObject({ transcriptionStatus: 'failed', text: '' });
    expect(fs.existsSync(repo.answer(q0)!.audioPath!)).toBe(true);

    const plain = InterviewSessionFlow.start(
      { repo, clock, scheduler: clock, audioDir: dir },
      { sessionId: 'sess-2', exam },
    );
    const q = plain.state().current!.id;
    plain.recordSpokenAnswer(q, { bytes: Buffer.from('y'), mimeType: 'audio/webm' });
    expect(repo.answer(q)).toMatchObject({ transcriptionStatus: 'not_configured' });
  });

  it('keeps the conversation as ordered messages and ends without waiting for evaluation', () => {
    const flow = start();
    const q0 = flow.state().current!.id;
    flow.submit(q0, 'A B-tree.');
    const q1 = flow.state().current!.id;
    flow.saveDraft(q1, 'We lost a disk and');
    const state = flow.end();
    expect(state).toMatchObject({ status: 'ended', current: null });
    expect(ended).toEqual(['sess-1']);
    expect(repo.messages('sess-1').map((m) => [m.seq, m.role, m.content])).toEqual([
      [0, 'system', 'Interview "Backend engineer": Industry skills, difficulty 7/10, 3 question(s).'],
      [1, 'assistant', 'What is an index?'],
      [2, 'user', 'A B-tree.'],
      [3, 'assistant', 'Tell us about an incident.'],
      [4, 'user', 'We lost a disk and'],
    ]);
    expect(repo.questions('sess-1').map((q) => q.closeReason)).toEqual(['answered', 'ended', 'ended']);
    expect(repo.snapshot('sess-1')).toMatchObject({ exam: { id: 'exam-1' }, jobListingText: 'Payments API' });
    expect(() => flow.submit(q1, 'after the end')).toThrow(/ended/);
  });
});

describe('exam validation', () => {
  it('accepts GEN/SKL/PER/FIN and difficulty 1–10 only', () => {
    expect(ExamSchema.safeParse({ ...exam, difficulty: 11 }).success).toBe(false);
    expect(ExamSchema.safeParse({ ...exam, difficulty: 0 }).success).toBe(false);
    expect(ExamSchema.safeParse({ ...exam, difficulty: 6.5 }).success).toBe(false);
    expect(ExamSchema.safeParse({ ...exam, type: 'XYZ' }).success).toBe(false);
    for (const type of ['GEN', 'SKL', 'PER', 'FIN'])
      expect(ExamSchema.safeParse({ ...exam, type }).success).toBe(true);
    expect(
      ExamSchema.safeParse({ ...exam, key_questions: [{ question: 'Q', time_limit_s: 5 }] }).success,
    ).toBe(false);
  });
});
