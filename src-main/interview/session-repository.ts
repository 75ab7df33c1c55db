// Storage of a session's interview: the exam snapshot, questions in order, answers and messages.
// Every function is synchronous (better-sqlite3) so the store's outbox can wrap it in its own
// transaction once the branches merge.
import type { SqliteHandle } from './local-db';
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
  constructor(readonly db: SqliteHandle) {}

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  createSession(input: {
    sessionId: string;
    userId: string | null;
    snapshot: SessionExamSnapshot;
    questions: { id: string; text: string; timeLimitS: number; source: QuestionSource }[];
    startedAt: string;
  }): void {
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
    input.questions.forEach((q, seq) =>
      insert.run(q.id, input.sessionId, seq, q.text, q.timeLimitS, q.source),
    );
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
    this.db
      .prepare('update questions set asked_at = ? where id = ? and asked_at is null')
      .run(at, questionId);
  }

  closeQuestion(questionId: string, at: string, reason: NonNullable<Question['closeReason']>): void {
    this.db
      .prepare('update questions set closed_at = ?, close_reason = ? where id = ? and closed_at is null')
      .run(at, reason, questionId);
  }

  saveAnswer(
    answer: Omit<Answer, 'transcript' | 'transcriptionStatus' | 'audioPath' | 'audioMime'> & Partial<Answer>,
  ): void {
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
  }

  setTranscript(
    questionId: string,
    status: TranscriptionStatus,
    transcript: string | null,
    at: string,
  ): void {
    this.db
      .prepare(
        `update answers set transcription_status = ?, transcript = ?,
           text = case when ? is not null and trim(text) = '' then ? else text end, updated_at = ?
         where question_id = ?`,
      )
      .run(status, transcript, transcript, transcript, at, questionId);
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
    const next = this.db
      .prepare('select coalesce(max(seq), -1) + 1 as seq from messages where session_id = ?')
      .get(sessionId) as { seq: number };
    this.db
      .prepare(
        'insert into messages (session_id, seq, role, content, question_id, created_at) values (?, ?, ?, ?, ?, ?)',
      )
      .run(sessionId, next.seq, role, content, questionId, at);
    return next.seq;
  }

  /** Replaces the content of the candidate's message for a question (late text, transcripts). */
  updateAnswerMessage(sessionId: string, questionId: string, content: string): void {
    this.db
      .prepare(`update messages set content = ? where session_id = ? and question_id = ? and role = 'user'`)
      .run(content, sessionId, questionId);
  }

  messages(sessionId: string): Message[] {
    return (
      this.db.prepare('select * from messages where session_id = ? order by seq').all(sessionId) as {
        session_id: string;
        seq: number;
        role: MessageRole;
        content: string;
        question_id: string | null;
        created_at: string;
      }[]
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
