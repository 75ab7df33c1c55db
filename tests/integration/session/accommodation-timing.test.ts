// Accommodation profiles change the interview's timers: extra time multiplies each question's limit
// (and the candidate's remaining time), and breaks between questions pause the interview — no
// question timer runs until the candidate comes back or the break's time is up. The monotonic clock
// is moved by hand, so nothing here waits.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../../src-main/errors';
import type { TimingAccommodation } from '../../../src-main/interview/accommodation';
import { openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
import { InterviewSessionFlow, type BreakEvent } from '../../../src-main/interview/session-flow';
import { InterviewRepository } from '../../../src-main/interview/session-repository';
import { ExamSchema, type Exam } from '../../../src-main/interview/types';
import { accommodationOf, answerModeOf } from '../../../src-main/session/exam-options';
import { resolvePolicy } from '../../../src-main/proctoring/policy';
import { ManualClock } from '../../support/manual-clock';

const exam: Exam = ExamSchema.parse({
  id: 'exam-a',
  title: 'Accessible interview',
  type: 'GEN',
  difficulty: 4,
  key_questions: [
    { question: 'First question?', time_limit_s: 60 },
    { question: 'Second question?', time_limit_s: 90 },
    { question: 'Third question?', time_limit_s: 30 },
  ],
});

let db: LocalStore;
let repo: InterviewRepository;
let clock: ManualClock;
let dir: string;
let breaks: BreakEvent[];

function start(accommodation?: TimingAccommodation, sessionId = 'sess-a') {
  return InterviewSessionFlow.start(
    { repo, clock, scheduler: clock, audioDir: dir, onBreak: (e) => breaks.push(e) },
    { sessionId, exam, ...(accommodation ? { accommodation } : {}) },
  );
}

beforeEach(async () => {
  db = await openLocalStore(':memory:');
  repo = new InterviewRepository(db);
  clock = new ManualClock();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-accommodation-'));
  breaks = [];
});
afterEach(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('extra time', () => {
  it('gives ×1.5 of every limit with 50% extra time, and closes the question only then', () => {
    const flow = start({ name: 'extra time 50%', extraTimePercent: 50, breaks: null });
    const first = flow.state();
    expect(first.current).toMatchObject({ timeLimitS: 90, baseTimeLimitS: 60, remainingMs: 90_000 });
    expect(first.accommodation).toEqual({ name: 'extra time 50%', extraTimePercent: 50 });
    const q0 = first.current!.id;
    flow.saveDraft(q0, 'Still typing');

    clock.advance(60_000); // the standard limit has passed: still open
    expect(flow.tick().current).toMatchObject({ id: q0, remainingMs: 30_000 });
    clock.advance(30_000); // the extended limit: closed, the draft kept
    const next = flow.tick();
    expect(next.current).toMatchObject({ index: 1, timeLimitS: 135, baseTimeLimitS: 90 });
    expect(repo.answer(q0)).toMatchObject({ text: 'Still typing', timedOut: true, elapsedMs: 90_000 });
    // Stored with the session: the limit the candidate had, and the accommodation in the record.
    expect(repo.questions('sess-a').map((q) => q.timeLimitS)).toEqual([90, 135, 45]);
    expect(repo.messages('sess-a').map((m) => m.content)).toContain(
      'Accommodation "extra time 50%": extra time 50% (×1.5).',
    );
  });

  it('keeps the exam’s limits without an accommodation', () => {
    const flow = start();
    expect(flow.state().current).toMatchObject({ timeLimitS: 60, baseTimeLimitS: 60 });
    expect(flow.state().breaks).toBeNull();
    clock.advance(60_000);
    expect(flow.tick().current?.index).toBe(1);
  });
});

describe('breaks between questions', () => {
  const withBreaks: TimingAccommodation = {
    name: 'breaks',
    extraTimePercent: 0,
    breaks: { count: 1, maxMinutes: 5 },
  };

  it('pauses after an answer: no timer runs during the break, the next question gets its full time', () => {
    const flow = start(withBreaks);
    const q0 = flow.state().current!.id;
    clock.advance(10_000);
    const paused = flow.submit(q0, 'First answer.', { thenBreak: true });
    expect(paused.current).toBeNull();
    expect(paused.breaks).toEqual({
      allowed: 1,
      used: 1,
      maxMs: 300_000,
      active: { remainingMs: 300_000, nextIndex: 1 },
    });
    clock.advance(200_000); // far beyond the second question's 90 s: it has not started
    expect(flow.tick()).toMatchObject({ current: null, breaks: { active: { remainingMs: 100_000 } } });

    const back = flow.endBreak();
    expect(back.current).toMatchObject({ index: 1, remainingMs: 90_000 });
    expect(back.breaks?.active).toBeNull();
    expect(breaks).toEqual([
      { kind: 'started', afterQuestion: 1, maxMs: 300_000, number: 1 },
      { kind: 'ended', afterQuestion: 1, durationMs: 200_000, reason: 'resumed' },
    ]);
    // Only one break was allowed.
    expect(() => flow.submit(back.current!.id, 'Second.', { thenBreak: true })).toThrow(VigilError);
    expect(flow.state().current?.index).toBe(1); // the refused break closed nothing
  });

  it('ends a break at its limit and starts the next question', () => {
    const flow = start(withBreaks);
    flow.submit(flow.state().current!.id, 'First.', { thenBreak: true });
    clock.advance(300_000);
    expect(flow.state().current).toMatchObject({ index: 1, remainingMs: 90_000 });
    expect(breaks.at(-1)).toEqual({
      kind: 'ended',
      afterQuestion: 1,
      durationMs: 300_000,
      reason: 'time_limit',
    });
  });

  it('refuses a break when the profile has none, and after the last question', () => {
    const flow = start();
    expect(() => flow.submit(flow.state().current!.id, 'x', { thenBreak: true })).toThrow(/not part/);
    const last = start(withBreaks, 'sess-b');
    last.submit(last.state().current!.id, 'a');
    last.submit(last.state().current!.id, 'b');
    expect(() => last.submit(last.state().current!.id, 'c', { thenBreak: true })).toThrow(/last question/);
  });

  it('counts breaks taken before a restart', () => {
    const flow = start(withBreaks);
    flow.submit(flow.state().current!.id, 'First.', { thenBreak: true });
    const resumed = InterviewSessionFlow.resume({ repo, clock, scheduler: clock, audioDir: dir }, 'sess-a')!;
    expect(resumed.state()).toMatchObject({ current: { index: 1 }, breaks: { used: 1, active: null } });
  });
});

describe('accommodation profile in the exam policy', () => {
  it('reads a detector profile name or a full profile, and rejects a malformed one', () => {
    expect(accommodationOf({})).toMatchObject({ name: 'standard', extraTimePercent: 0, breaks: null });
    expect(accommodationOf({ accommodation: 'no_gaze' })).toMatchObject({ detectors: 'no_gaze' });
    const profile = accommodationOf({
      accommodation: {
        name: 'dyslexia',
        extraTimePercent: 50,
        breaks: { count: 2, maxMinutes: 5 },
        detectors: 'no_gaze',
      },
    });
    expect(profile).toEqual({
      name: 'dyslexia',
      extraTimePercent: 50,
      breaks: { count: 2, maxMinutes: 5 },
      detectors: 'no_gaze',
      allowedApps: [],
    });
    // The same profile turns the gaze checks off (the detectors follow it).
    expect(resolvePolicy({}, profile.detectors).lookingAway.enabled).toBe(false);
    expect(() => accommodationOf({ accommodation: { extraTimePercent: -5 } })).toThrow(/accommodation/);
  });

  it('marks spoken questions from the policy', () => {
    expect(answerModeOf({}, 0)).toBe('text');
    expect(answerModeOf({ spokenAnswers: true }, 2)).toBe('spoken');
    expect([0, 1, 2].map((i) => answerModeOf({ spokenAnswers: [2] }, i))).toEqual(['text', 'spoken', 'text']);
  });
});
