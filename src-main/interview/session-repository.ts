// Storage of a session's interview: the exam snapshot, questions in order, answers and messages, on
// the one local store (its transactions nest as savepoints inside a caller's `store.write`, so a
// spoken answer's row, audio link, chain event and outbox rows commit together).
// Every write is synchronous (better-sqlite3) and runs in a transaction that also queues what
// central must receive (content-outbox.ts): a question when it is created, asked or gets its final
// answer, and each new message. Items are queued when the outermost repository transaction ends, so
// one step (answer + close + message) makes one question item, queued before its messages.
import { contentOutbox, type ContentOutbox, type MessageContentRow } from './content-outbox';
import type Database from 'better-sqlite3';
import type { Tx } from '../store/local-store';
import type {
  Answer,
  Exam,
  Message,
  MessageRole,
  Question,
  QuestionSource,
  TranscriptionStatus,
} from './types';

/** What the session was about, frozen at its start so evaluation works offline and later. */
export interface SessionExamSnapshot {
  exam: Exam;
  resumeText: string | null;
  jobListingText: string | null;
}

interface QuestionRow {
  id: string;
  session_id: string;
  seq: number;
  text: string;
  time_limit_s: number;
  source: QuestionSource;
  asked_at: string | null;
  closed_at: string | null;
  close_reason: Question['closeReason'];
}

interface AnswerRow {
  question_id: string;
  session_id: string;
  text: string;
  audio_path: string | null;
  audio_mime: string | null;
  transcript: string | null;
  transcription_status: TranscriptionStatus;
  elapsed_ms: number;
  timed_out: number;
  final: number;
  updated_at: string;
}

const toQuestion = (r: QuestionRow): Question => ({
  id: r.id,
  sessionId: r.session_id,
  seq: r.seq,
  text: r.text,
  timeLimitS: r.time_limit_s,
  source: r.source,
  askedAt: r.asked_at,
  closedAt: r.closed_at,
  closeReason: r.close_reason,
});

const toAnswer = (r: AnswerRow): Answer => ({
  questionId: r.question_id,
  sessionId: r.session_id,
  text: r.text,
  audioPath: r.audio_path,
  audioMime: r.audio_mime,
  transcript: r.transcript,
  transcriptionStatus: r.transcription_status,
  elapsedMs: r.elapsed_ms,
  timedOut: r.timed_out === 1,
  final: r.final === 1,
  updatedAt: r.updated_at,
});

export class InterviewRepository {
  private readonly outbox: ContentOutbox;
  private depth = 0;
  private readonly dirtyQuestions = new Set<string>();
  private readonly newMessages: { sessionId: string; seq: number }[] = [];

  private readonly db: Database.Database;

  constructor(readonly store: Tx) {
    this.db = store.raw;
    this.outbox = contentOutbox(store);
  }

  /** One transaction (a savepoint inside a caller's); queues the outbox items of its writes at its end. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(() => {
      this.depth++;
      try {
        const result = fn();
        if (this.depth === 1) this.flush();
        return result;
      } finally {
        this.depth--;
        if (this.depth === 0) {
          this.dirtyQuestions.clear();
          this.newMessages.length = 0;
        }
      }
    })();
  }

  // Questions first: a message refers to its question, which central must already have.
  private flush(): void {
    for (const id of this.dirtyQuestions) this.outbox.queueQuestion(id);
    for (const m of this.newMessages) this.outbox.queueMessage(m.sessionId, m.seq);
  }

  createSession(input: {
    sessionId: string;
    userId: string | null;
    snapshot: SessionExamSnapshot;
    questions: { id: string; text: string; timeLimitS: number; source: QuestionSource }[];
    startedAt: string;
  }): void {
    this.transaction(() => {
      this.db
        .prepare(
          `insert into session_exams (session_id, exam_id, exam_json, user_id, started_at)
           values (?, ?, ?, ?, ?)`,
        )
        .run(
          input.sessionId,
          input.snapshot.exam.id,
          JSON.stringify(input.snapshot),
          input.userId,
          input.startedAt,
        );
      const insert = this.db.prepare(
        `insert into questions (id, session_id, seq, text, time_limit_s, source) values (?, ?, ?, ?, ?, ?)`,
      );
      input.questions.forEach((q, seq) => {
        insert.run(q.id, input.sessionId, seq, q.text, q.timeLimitS, q.source);
        // Every planned question goes up at once, so central has them before any message refers to one.
        this.dirtyQuestions.add(q.id);
      });
    });
  }

  snapshot(
    sessionId: string,
  ): (SessionExamSnapshot & { userId: string | null; endedAt: string | null }) | null {
    const row = this.db
      .prepare('select exam_json, user_id, ended_at from session_exams where session_id = ?')
      .get(sessionId) as { exam_json: string; user_id: string | null; ended_at: string | null } | undefined;
    if (!row) return null;
    return {
      ...(JSON.parse(row.exam_json) as SessionExamSnapshot),
      userId: row.user_id,
      endedAt: row.ended_at,
    };
  }

  endSession(sessionId: string, endedAt: string): void {
    this.db
      .prepare('update session_exams set ended_at = coalesce(ended_at, ?) where session_id = ?')
      .run(endedAt, sessionId);
  }

  questions(sessionId: string): Question[] {
    return (
      this.db
        .prepare('select * from questions where session_id = ? order by seq')
        .all(sessionId) as QuestionRow[]
    ).map(toQuestion);
  }

  markAsked(questionId: string, at: string): void {
    this.transaction(() => {
      const { changes } = this.db
        .prepare('update questions set asked_at = ? where id = ? and asked_at is null')
        .run(at, questionId);
      if (changes > 0) this.dirtyQuestions.add(questionId);
    });
  }

  closeQuestion(questionId: string, at: string, reason: NonNullable<Question['closeReason']>): void {
    this.db
      .prepare('update questions set closed_at = ?, close_reason = ? where id = ? and closed_at is null')
      .run(at, reason, questionId);
  }

  saveAnswer(
    answer: Omit<Answer, 'transcript' | 'transcriptionStatus' | 'audioPath' | 'audioMime'> & Partial<Answer>,
  ): void {
    this.transaction(() => {
      const before = this.db
        .prepare('select text, final, audio_path from answers where question_id = ?')
        .get(answer.questionId) as { text: string; final: number; audio_path: string | null } | undefined;
      this.db
        .prepare(
          `insert into answers (question_id, session_id, text, audio_path, audio_mime, transcript, transcription_status,
           elapsed_ms, timed_out, final, updated_at)
         values (@questionId, @sessionId, @text, @audioPath, @audioMime, @transcript, @transcriptionStatus,
           @elapsedMs, @timedOut, @final, @updatedAt)
         on conflict (question_id) do update set text = excluded.text,
           audio_path = coalesce(excluded.audio_path, answers.audio_path),
           audio_mime = coalesce(excluded.audio_mime, answers.audio_mime),
           transcript = coalesce(excluded.transcript, answers.transcript),
           transcription_status = case when excluded.transcription_status = 'none'
             then answers.transcription_status else excluded.transcription_status end,
           elapsed_ms = excluded.elapsed_ms, timed_out = excluded.timed_out, final = excluded.final,
           updated_at = excluded.updated_at`,
        )
        .run({
          questionId: answer.questionId,
          sessionId: answer.sessionId,
          text: answer.text,
          audioPath: answer.audioPath ?? null,
          audioMime: answer.audioMime ?? null,
          transcript: answer.transcript ?? null,
          transcriptionStatus: answer.transcriptionStatus ?? 'none',
          elapsedMs: Math.round(answer.elapsedMs),
          timedOut: answer.timedOut ? 1 : 0,
          final: answer.final ? 1 : 0,
          updatedAt: answer.updatedAt,
        });
      // Drafts stay local; a final answer (or a changed one, or its new audio) goes up with its question.
      const newAudio = answer.audioPath != null && answer.audioPath !== before?.audio_path;
      if (answer.final && (before?.final !== 1 || before.text !== answer.text || newAudio))
        this.dirtyQuestions.add(answer.questionId);
    });
  }

  setTranscript(
    questionId: string,
    status: TranscriptionStatus,
    transcript: string | null,
    at: string,
  ): void {
    this.transaction(() => {
      const before = this.answer(questionId);
      this.db
        .prepare(
          `update answers set transcription_status = ?, transcript = ?,
             text = case when ? is not null and trim(text) = '' then ? else text end, updated_at = ?
           where question_id = ?`,
        )
        .run(status, transcript, transcript, transcript, at, questionId);
      // A transcript that became the answer text changes what central shows.
      if (before?.final && this.answer(questionId)?.text !== before.text) this.dirtyQuestions.add(questionId);
    });
  }

  answer(questionId: string): Answer | null {
    const row = this.db.prepare('select * from answers where question_id = ?').get(questionId) as
      AnswerRow | undefined;
    return row ? toAnswer(row) : null;
  }

  answers(sessionId: string): Answer[] {
    return (
      this.db
        .prepare(
          `select a.* from answers a join questions q on q.id = a.question_id where a.session_id = ? order by q.seq`,
        )
        .all(sessionId) as AnswerRow[]
    ).map(toAnswer);
  }

  appendMessage(
    sessionId: string,
    role: MessageRole,
    content: string,
    questionId: string | null,
    at: string,
  ): number {
    return this.transaction(() => {
      const next = this.db
        .prepare('select coalesce(max(seq), -1) + 1 as seq from messages where session_id = ?')
        .get(sessionId) as { seq: number };
      this.db
        .prepare(
          'insert into messages (session_id, seq, role, content, question_id, created_at) values (?, ?, ?, ?, ?, ?)',
        )
        .run(sessionId, next.seq, role, content, questionId, at);
      this.newMessages.push({ sessionId, seq: next.seq });
      return next.seq;
    });
  }

  /**
   * Replaces the content of the candidate's message for a question (late text, transcripts). Stays
   * local: central inserts a message once and cannot update it; the answer travels on its question.
   */
  updateAnswerMessage(sessionId: string, questionId: string, content: string): void {
    this.db
      .prepare(`update messages set content = ? where session_id = ? and question_id = ? and role = 'user'`)
      .run(content, sessionId, questionId);
  }

  messages(sessionId: string): Message[] {
    return (
      this.db
        .prepare('select * from messages where session_id = ? order by seq')
        .all(sessionId) as MessageContentRow[]
    ).map((r) => ({
      sessionId: r.session_id,
      seq: r.seq,
      role: r.role,
      content: r.content,
      questionId: r.question_id,
      createdAt: r.created_at,
    }));
  }
}
