// The interview as the candidate lives it: questions asked in order, each closed at its time limit
// by a monotonic clock with the answer so far kept, typed answers saved as drafts while typing,
// spoken answers stored as audio and transcribed by a persisted job when a transcription endpoint is
// configured, and the whole conversation kept as ordered messages. Ending the session never waits
// for evaluation: it only enqueues it (a job of the device runner, session/after-session-jobs.ts).
// A timing accommodation extends every limit and allows breaks between questions, during which no
// question timer runs.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { VigilError } from '../errors';
import { extendedLimitS, standardTiming, type TimingAccommodation } from './accommodation';
import { systemScheduler, type MonotonicClock, type Scheduler } from './clock';
import type { InterviewRepository, SessionExamSnapshot } from './session-repository';
import { examTypeNames } from '../../src-preload/vocabulary';
import type { Answer, Exam, QuestionSource } from './types';

/** Text or audio sent just after the limit (network, encoder flush) still counts for this long. */
export const DEFAULT_GRACE_MS = 2_000;

export interface Transcriber {
  transcribe(request: {
    audio: Buffer;
    fileName: string;
    mimeType: string;
    context: { sessionId: string; examId: string | null; userId: string | null };
  }): Promise<string>;
}

export interface SessionFlowDeps {
  repo: InterviewRepository;
  clock: MonotonicClock;
  scheduler?: Scheduler;
  wallClock?: () => Date;
  /** Folder where spoken answers are written, one sub-folder per session. */
  audioDir: string;
  transcriber?: Transcriber | null;
  /** Called once when the session ends; must not block (e.g. enqueue an evaluation job). */
  onEnded?: (sessionId: string) => void;
  graceMs?: number;
  /** Called when a break starts or ends (the candidate service records it in the evidence chain). */
  onBreak?: (event: BreakEvent) => void;
}

export type BreakEvent =
  | { kind: 'started'; afterQuestion: number; maxMs: number; number: number }
  | { kind: 'ended'; afterQuestion: number; durationMs: number; reason: 'resumed' | 'time_limit' | 'ended' };

export interface PlannedQuestion {
  text: string;
  timeLimitS: number;
  source: QuestionSource;
}

export interface CurrentQuestion {
  id: string;
  index: number;
  text: string;
  /** The limit the candidate has, extra time included. */
  timeLimitS: number;
  /** The exam's limit before any extra time. */
  baseTimeLimitS: number;
  remainingMs: number;
  draft: string;
}

export interface SessionState {
  sessionId: string;
  status: 'in_progress' | 'ended';
  total: number;
  answered: number;
  current: CurrentQuestion | null;
  accommodation: { name: string; extraTimePercent: number };
  breaks: {
    allowed: number;
    used: number;
    maxMs: number;
    /** The break running now: the next question is asked when it ends. */
    active: { remainingMs: number; nextIndex: number } | null;
  } | null;
}

interface OnBreak {
  nextIndex: number;
  startedAt: number;
  deadline: number;
  cancelTimer: () => void;
}

/** How a restarted session's open question goes on (the exam's interruption policy). */
export interface ResumeOptions {
  clock: 'resume' | 'restart' | 'next_question';
  /** When the app stopped (its last sign of life), for `resume`. */
  stoppedAt?: string;
}

/** The exam snapshot with the timing accommodation the session ran under. */
type FlowSnapshot = SessionExamSnapshot & { accommodation?: TimingAccommodation };

interface Active {
  id: string;
  index: number;
  startedAt: number;
  deadline: number;
  draft: string;
  cancelTimer: () => void;
}

interface Closed {
  index: number;
  deadline: number;
  timedOut: boolean;
  startedAt: number;
}

const AUDIO_EXT: Record<string, string> = {
  'audio/webm': 'webm',
  'audio/ogg': 'ogg',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
};

export class InterviewSessionFlow {
  private active: Active | null = null;
  private onBreak: OnBreak | null = null;
  private breaksUsed = 0;
  private ended = false;
  private readonly closed = new Map<string, Closed>();
  private readonly scheduler: Scheduler;
  private readonly wall: () => Date;
  private readonly grace: number;

  private constructor(
    private readonly deps: SessionFlowDeps,
    readonly sessionId: string,
    private readonly snapshot: FlowSnapshot,
    private readonly userId: string | null,
    private readonly questions: { id: string; text: string; timeLimitS: number; baseTimeLimitS: number }[],
  ) {
    this.scheduler = deps.scheduler ?? systemScheduler;
    this.wall = deps.wallClock ?? (() => new Date());
    this.grace = deps.graceMs ?? DEFAULT_GRACE_MS;
  }

  /** Stores the exam snapshot and the planned questions, then asks the first question. */
  static start(
    deps: SessionFlowDeps,
    input: {
      sessionId: string;
      exam: Exam;
      userId?: string | null;
      resumeText?: string | null;
      jobListingText?: string | null;
      questions?: PlannedQuestion[];
      accommodation?: TimingAccommodation;
    },
  ): InterviewSessionFlow {
    if (deps.repo.snapshot(input.sessionId))
      throw new VigilError('CONFLICT', `Session ${input.sessionId} has already started.`, {
        sessionId: input.sessionId,
      });
    const accommodation = input.accommodation ?? standardTiming;
    const planned =
      input.questions ??
      input.exam.key_questions.map((q) => ({
        text: q.question,
        timeLimitS: q.time_limit_s,
        source: 'admin' as const,
      }));
    if (planned.length === 0)
      throw new VigilError(
        'BAD_REQUEST',
        `The exam "${input.exam.title}" has no questions; add some before starting it.`,
      );
    // The stored limit is the one the candidate had; the exam snapshot keeps the base limits.
    const questions = planned.map((q) => ({
      ...q,
      id: randomUUID(),
      baseTimeLimitS: q.timeLimitS,
      timeLimitS: extendedLimitS(q.timeLimitS, accommodation),
    }));
    const snapshot: FlowSnapshot = {
      exam: input.exam,
      resumeText: input.resumeText ?? null,
      jobListingText: input.jobListingText ?? null,
      accommodation,
    };
    const flow = new InterviewSessionFlow(deps, input.sessionId, snapshot, input.userId ?? null, questions);
    const at = flow.wall().toISOString();
    deps.repo.transaction(() => {
      deps.repo.createSession({
        sessionId: input.sessionId,
        userId: input.userId ?? null,
        snapshot,
        questions,
        startedAt: at,
      });
      deps.repo.appendMessage(
        input.sessionId,
        'system',
        `Interview "${input.exam.title}": ${examTypeNames[input.exam.type]}, difficulty ${input.exam.difficulty}/10, ${questions.length} question(s).`,
        null,
        at,
      );
      if (accommodation.extraTimePercent > 0 || accommodation.breaks) {
        deps.repo.appendMessage(input.sessionId, 'system', describeAccommodation(accommodation), null, at);
      }
    });
    flow.ask(0);
    return flow;
  }

  /**
   * Rebuilds the flow of a session that was running when the app stopped. The question that was
   * open comes back with its saved draft and, by the exam's interruption policy, the time it had
   * left when the app stopped (`resume`: its clock goes on from `stoppedAt`), its full time
   * (`restart`), or it is closed as interrupted and the next one is asked (`next_question`).
   */
  static resume(
    deps: SessionFlowDeps,
    sessionId: string,
    interruption: ResumeOptions = { clock: 'next_question' },
  ): InterviewSessionFlow | null {
    const snapshot = deps.repo.snapshot(sessionId);
    if (!snapshot || snapshot.endedAt) return null;
    const stored = deps.repo.questions(sessionId);
    const accommodation = (snapshot as FlowSnapshot).accommodation ?? standardTiming;
    const flow = new InterviewSessionFlow(
      deps,
      sessionId,
      {
        exam: snapshot.exam,
        resumeText: snapshot.resumeText,
        jobListingText: snapshot.jobListingText,
        accommodation,
      },
      snapshot.userId,
      stored.map((q) => ({
        id: q.id,
        text: q.text,
        timeLimitS: q.timeLimitS,
        baseTimeLimitS: snapshot.exam.key_questions[q.seq]?.time_limit_s ?? q.timeLimitS,
      })),
    );
    // Breaks taken before the restart still count.
    flow.breaksUsed = deps.repo
      .messages(sessionId)
      .filter((m) => m.role === 'system' && m.content.startsWith(BREAK_STARTED)).length;
    const at = flow.wall().toISOString();
    let next = 0;
    for (const q of stored) {
      if (q.askedAt === null) break;
      next = q.seq + 1;
      if (q.closedAt === null && interruption.clock !== 'next_question') {
        // The open question goes on where it was: the clock's new origin is set back by the time it
        // had run when the app stopped (none for `restart`), so its deadline keeps what was left.
        const draft = deps.repo.answer(q.id);
        const ranMs =
          interruption.clock === 'restart'
            ? 0
            : Math.max(0, Date.parse(interruption.stoppedAt ?? q.askedAt) - Date.parse(q.askedAt));
        flow.reopen(q.seq, Math.min(ranMs, q.timeLimitS * 1000), draft?.text ?? '');
        return flow;
      }
      if (q.closedAt === null) {
        const draft = deps.repo.answer(q.id);
        deps.repo.transaction(() => {
          deps.repo.saveAnswer({
            questionId: q.id,
            sessionId,
            text: draft?.text ?? '',
            elapsedMs: draft?.elapsedMs ?? 0,
            timedOut: false,
            final: true,
            updatedAt: at,
          });
          deps.repo.closeQuestion(q.id, at, 'interrupted');
          deps.repo.appendMessage(
            sessionId,
            'user',
            draft?.text.trim() ? draft.text : '(no answer)',
            q.id,
            at,
          );
        });
      }
      // No grace period across a restart: the old deadline is meaningless on a new clock.
      flow.closed.set(q.id, { index: q.seq, deadline: -Infinity, timedOut: false, startedAt: 0 });
    }
    flow.ask(next);
    return flow;
  }

  /** A question asked before a restart, open again with the time it had run and its draft. */
  private reopen(index: number, ranMs: number, draft: string): void {
    const q = this.questions[index]!;
    const startedAt = this.deps.clock.now() - ranMs;
    const deadline = startedAt + q.timeLimitS * 1000;
    const cancelTimer = this.scheduler.after(Math.max(0, deadline - this.deps.clock.now()), () =>
      this.tick(),
    );
    this.active = { id: q.id, index, startedAt, deadline, draft, cancelTimer };
    // Its time ran out while the app was down: closed now with the draft, the next one asked.
    this.tick();
  }

  private ask(index: number): void {
    const q = this.questions[index];
    if (!q) {
      this.active = null;
      return;
    }
    const startedAt = this.deps.clock.now();
    const deadline = startedAt + q.timeLimitS * 1000;
    const at = this.wall().toISOString();
    this.deps.repo.transaction(() => {
      this.deps.repo.markAsked(q.id, at);
      this.deps.repo.appendMessage(this.sessionId, 'assistant', q.text, q.id, at);
    });
    const cancelTimer = this.scheduler.after(deadline - startedAt, () => this.tick());
    this.active = { id: q.id, index, startedAt, deadline, draft: '', cancelTimer };
  }

  /** Closes the current question if its time is up. Called by the timer and before every action. */
  tick(): SessionState {
    const a = this.active;
    if (a && !this.ended && this.deps.clock.now() >= a.deadline) this.close(a, a.draft, 'time_limit', true);
    const b = this.onBreak;
    if (b && !this.ended && this.deps.clock.now() >= b.deadline) this.finishBreak('time_limit');
    return this.state();
  }

  private breakPolicy() {
    return this.snapshot.accommodation?.breaks ?? null;
  }

  private canBreakAfter(index: number): boolean {
    const breaks = this.breakPolicy();
    return !!breaks && this.breaksUsed < breaks.count && index + 1 < this.questions.length;
  }

  /** Between questions: the next question (and its timer) waits until the break ends. */
  private startBreak(nextIndex: number): void {
    const breaks = this.breakPolicy()!;
    const maxMs = Math.round(breaks.maxMinutes * 60_000);
    const startedAt = this.deps.clock.now();
    this.breaksUsed++;
    const cancelTimer = this.scheduler.after(maxMs, () => this.tick());
    this.onBreak = { nextIndex, startedAt, deadline: startedAt + maxMs, cancelTimer };
    this.deps.repo.appendMessage(
      this.sessionId,
      'system',
      `${BREAK_STARTED} after question ${nextIndex} (up to ${breaks.maxMinutes} min).`,
      null,
      this.wall().toISOString(),
    );
    this.deps.onBreak?.({ kind: 'started', afterQuestion: nextIndex, maxMs, number: this.breaksUsed });
  }

  private finishBreak(reason: 'resumed' | 'time_limit' | 'ended'): void {
    const b = this.onBreak;
    if (!b) return;
    b.cancelTimer();
    this.onBreak = null;
    const durationMs = Math.min(this.deps.clock.now(), b.deadline) - b.startedAt;
    this.deps.repo.appendMessage(
      this.sessionId,
      'system',
      `Break ended after ${Math.round(durationMs / 1000)} s (${reason === 'time_limit' ? 'its time was up' : reason}).`,
      null,
      this.wall().toISOString(),
    );
    this.deps.onBreak?.({ kind: 'ended', afterQuestion: b.nextIndex, durationMs, reason });
    if (reason !== 'ended') this.ask(b.nextIndex);
  }

  /** The candidate is back: the next question is asked now, with its full time. */
  endBreak(): SessionState {
    if (this.ended) throw new VigilError('CONFLICT', 'The interview has ended.');
    this.tick();
    this.finishBreak('resumed');
    return this.state();
  }

  private close(
    a: Active,
    text: string,
    reason: 'answered' | 'time_limit' | 'ended',
    timedOut: boolean,
    thenBreak = false,
  ): void {
    a.cancelTimer();
    const now = this.deps.clock.now();
    const at = this.wall().toISOString();
    const elapsedMs = Math.min(now, a.deadline) - a.startedAt;
    const content = text.trim() ? text : '(no answer)';
    this.deps.repo.transaction(() => {
      this.deps.repo.saveAnswer({
        questionId: a.id,
        sessionId: this.sessionId,
        text,
        elapsedMs,
        timedOut,
        final: true,
        updatedAt: at,
      });
      this.deps.repo.closeQuestion(a.id, at, reason);
      this.deps.repo.appendMessage(this.sessionId, 'user', content, a.id, at);
    });
    this.closed.set(a.id, { index: a.index, deadline: a.deadline, timedOut, startedAt: a.startedAt });
    this.active = null;
    if (reason === 'ended') return;
    if (thenBreak && this.canBreakAfter(a.index)) this.startBreak(a.index + 1);
    else this.ask(a.index + 1);
  }

  state(): SessionState {
    const a = this.active;
    return {
      sessionId: this.sessionId,
      status: this.ended ? 'ended' : 'in_progress',
      total: this.questions.length,
      answered: this.closed.size,
      current:
        a && !this.ended
          ? {
              id: a.id,
              index: a.index,
              text: this.questions[a.index]!.text,
              timeLimitS: this.questions[a.index]!.timeLimitS,
              baseTimeLimitS: this.questions[a.index]!.baseTimeLimitS,
              remainingMs: Math.max(0, Math.round(a.deadline - this.deps.clock.now())),
              draft: a.draft,
            }
          : null,
      accommodation: {
        name: this.snapshot.accommodation?.name ?? 'standard',
        extraTimePercent: this.snapshot.accommodation?.extraTimePercent ?? 0,
      },
      breaks: this.breakState(),
    };
  }

  private breakState(): SessionState['breaks'] {
    const breaks = this.breakPolicy();
    if (!breaks) return null;
    const b = this.ended ? null : this.onBreak;
    return {
      allowed: breaks.count,
      used: this.breaksUsed,
      maxMs: Math.round(breaks.maxMinutes * 60_000),
      active: b
        ? {
            remainingMs: Math.max(0, Math.round(b.deadline - this.deps.clock.now())),
            nextIndex: b.nextIndex,
          }
        : null,
    };
  }

  /** Refuses a break that is not allowed, before anything is closed. */
  private checkBreak(index: number, thenBreak: boolean | undefined): void {
    if (thenBreak && !this.canBreakAfter(index)) {
      throw new VigilError(
        'CONFLICT',
        this.breakPolicy()
          ? 'No break is left for this interview, or this is the last question.'
          : 'Breaks are not part of this interview.',
      );
    }
  }

  private requireOpen(questionId: string): Active | { late: Closed } {
    if (this.ended)
      throw new VigilError('CONFLICT', 'The interview has ended; answers can no longer change.');
    this.tick();
    if (this.active?.id === questionId) return this.active;
    const closed = this.closed.get(questionId);
    if (closed && closed.timedOut && this.deps.clock.now() <= closed.deadline + this.grace)
      return { late: closed };
    throw new VigilError(
      'CONFLICT',
      closed
        ? 'This question is closed; the answer saved when it closed was kept.'
        : 'This is not the current question.',
      { questionId },
    );
  }

  /** Keeps the answer typed so far; it is what is saved if the time runs out. */
  saveDraft(questionId: string, text: string): SessionState {
    const target = this.requireOpen(questionId);
    if ('late' in target) this.lateText(questionId, target.late, text);
    else {
      target.draft = text;
      this.deps.repo.saveAnswer({
        questionId,
        sessionId: this.sessionId,
        text,
        elapsedMs: this.deps.clock.now() - target.startedAt,
        timedOut: false,
        final: false,
        updatedAt: this.wall().toISOString(),
      });
    }
    return this.state();
  }

  /** Final typed answer: closes the question and asks the next one. */
  submit(questionId: string, text: string, options: { thenBreak?: boolean } = {}): SessionState {
    const target = this.requireOpen(questionId);
    if ('late' in target) this.lateText(questionId, target.late, text);
    else {
      this.checkBreak(target.index, options.thenBreak);
      this.close(target, text, 'answered', false, options.thenBreak);
    }
    return this.state();
  }

  /** Text that was on its way when the limit struck (within the grace period) replaces the kept draft. */
  private lateText(questionId: string, closed: Closed, text: string): void {
    const at = this.wall().toISOString();
    this.deps.repo.transaction(() => {
      this.deps.repo.saveAnswer({
        questionId,
        sessionId: this.sessionId,
        text,
        elapsedMs: closed.deadline - closed.startedAt,
        timedOut: true,
        final: true,
        updatedAt: at,
      });
      this.deps.repo.updateAnswerMessage(this.sessionId, questionId, text.trim() ? text : '(no answer)');
    });
  }

  /**
   * A spoken answer: the audio is written to disk and linked to the question, which closes. The
   * transcript follows as a `transcription` job when a transcriber is configured.
   */
  recordSpokenAnswer(
    questionId: string,
    audio: { bytes: Buffer; mimeType: string },
    options: { thenBreak?: boolean } = {},
  ): SessionState {
    const target = this.requireOpen(questionId);
    const index = 'late' in target ? target.late.index : target.index;
    if (!('late' in target)) this.checkBreak(index, options.thenBreak);
    const ext = AUDIO_EXT[audio.mimeType.split(';')[0]!.trim()] ?? 'bin';
    const dir = path.join(this.deps.audioDir, this.sessionId);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `answer-${String(index + 1).padStart(2, '0')}.${ext}`);
    // Written and fsync'd before the question closes: a crash must not lose an answer we accepted.
    const fd = fs.openSync(file, 'w');
    try {
      fs.writeSync(fd, audio.bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    const transcriber = this.deps.transcriber ?? null;
    const typed = 'late' in target ? (this.deps.repo.answer(questionId)?.text ?? '') : target.draft;
    // One transaction: central receives the candidate's message once, so it must already say
    // "(spoken answer)" when it is queued.
    this.deps.repo.transaction(() => {
      if ('late' in target) this.lateText(questionId, target.late, typed);
      else this.close(target, typed, 'answered', false, options.thenBreak);
      this.deps.repo.saveAnswer({
        ...this.deps.repo.answer(questionId)!,
        audioPath: file,
        audioMime: audio.mimeType,
        transcriptionStatus: transcriber ? 'pending' : 'not_configured',
        updatedAt: this.wall().toISOString(),
      });
      if (!typed.trim()) this.deps.repo.updateAnswerMessage(this.sessionId, questionId, '(spoken answer)');
    });
    // The transcript is a `transcription` job the caller enqueues in its transaction (interview-extras.ts).
    return this.state();
  }

  /** Position of one of this session's questions (0-based), or null. */
  indexOf(questionId: string): number | null {
    const i = this.questions.findIndex((q) => q.id === questionId);
    return i < 0 ? null : i;
  }

  /** The stored answer to one of this session's questions (text, audio file, transcript). */
  answer(questionId: string): Answer | null {
    if (!this.questions.some((q) => q.id === questionId)) return null;
    return this.deps.repo.answer(questionId);
  }

  /**
   * The app is closing with this interview open: its timers stop, so none fires into a closed
   * store; the interview is not ended (the next start resumes it from what is saved).
   */
  detach(): void {
    this.active?.cancelTimer();
    this.onBreak?.cancelTimer();
  }

  /** Ends the interview now: the open question keeps its answer so far; evaluation is only enqueued. */
  end(): SessionState {
    if (this.ended) return this.state();
    this.tick();
    const a = this.active;
    if (a) this.close(a, a.draft, 'ended', false);
    this.finishBreak('ended');
    this.ended = true;
    const at = this.wall().toISOString();
    this.deps.repo.transaction(() => {
      // Questions never reached are closed too, so the record says they were not asked.
      for (const q of this.questions) this.deps.repo.closeQuestion(q.id, at, 'ended');
      this.deps.repo.endSession(this.sessionId, at);
    });
    this.deps.onEnded?.(this.sessionId);
    return this.state();
  }
}

const BREAK_STARTED = 'Break started';

function describeAccommodation(a: TimingAccommodation): string {
  const parts = [];
  if (a.extraTimePercent > 0)
    parts.push(`extra time ${a.extraTimePercent}% (×${1 + a.extraTimePercent / 100})`);
  if (a.breaks)
    parts.push(`up to ${a.breaks.count} break(s) of ${a.breaks.maxMinutes} min between questions`);
  return `Accommodation "${a.name}": ${parts.join(', ')}.`;
}
