// Carries a device session's interview content to central: questions (with their final answers),
// the conversation's messages and the evaluations, as outbox items of the kinds the central ingest
// function reads (`question`, `message`, `evaluation`; migrations/central/0005). Callers enqueue
// inside the transaction that writes the local row, so the row and its item commit together.
//
// Only sessions of this device (a local `sessions` row) are sent: central refuses any other.
// Idempotency keys follow what central does with a repeated id:
// - question: upserted by id, so every new version gets a new key (a version suffix); a retried
//   outbox row keeps its own key, so redelivery applies it once.
// - message: inserted with no upsert, so one key per message and a message is sent once (later
//   local content edits, e.g. a transcript replacing "(spoken answer)", stay local; the answer of
//   record travels on its question).
// - evaluation: upserted by session, so each local evaluation row (a re-evaluation is a new row with
//   a new id) is its own key, and the latest queued one wins.
import { createHash, randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { EvaluationRow } from '../evaluation/evaluation-store';
import type { Tx } from '../store/local-store';
import { enqueue, type OutboxItem } from '../store/outbox';
import type { MessageRole } from './types';

/** Central `messages.role` for each local role. */
const CENTRAL_ROLE: Record<MessageRole, 'system' | 'interviewer' | 'candidate'> = {
  system: 'system',
  assistant: 'interviewer',
  user: 'candidate',
};

/** Local messages are keyed (session, seq); central wants a uuid: derive a stable one. */
export function messageUuid(sessionId: string, seq: number): string {
  const h = createHash('sha256').update(`vigil:message:${sessionId}:${seq}`).digest('hex');
  // RFC 9562 version 8 (custom), variant 10xx.
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface QuestionContentRow {
  id: string;
  session_id: string;
  seq: number;
  text: string;
  time_limit_s: number;
  asked_at: string | null;
  closed_at: string | null;
  answer_text: string | null;
  answer_final: number | null;
  answer_updated_at: string | null;
  answer_audio_path: string | null;
  /** Hex sha256 of the answer's audio once it is registered as a blob upload, else null. */
  answer_audio_sha256: string | null;
}

/**
 * A question and its answer once final; a draft or an empty answer is not an answer, a spoken one
 * is (answered, with no text until a transcript arrives). Central overwrites the audio hash on each
 * version, so every version carries it once the audio is a registered blob.
 */
export function questionItem(row: QuestionContentRow, version: string): OutboxItem {
  const hasText = (row.answer_text ?? '').trim() !== '';
  const answered = row.answer_final === 1 && (hasText || row.answer_audio_path !== null);
  return {
    kind: 'question',
    idempotencyKey: `question:${row.id}:${version}`,
    sessionId: row.session_id,
    payload: {
      id: row.id,
      sessionId: row.session_id,
      ordinal: row.seq,
      text: row.text,
      timeLimitS: row.time_limit_s,
      askedAt: row.asked_at,
      answeredAt: answered ? (row.closed_at ?? row.answer_updated_at) : null,
      answerText: answered && hasText ? row.answer_text : null,
      answerAudioSha256: answered ? row.answer_audio_sha256 : null,
    },
  };
}

export interface MessageContentRow {
  session_id: string;
  seq: number;
  role: MessageRole;
  content: string;
  question_id: string | null;
  created_at: string;
}

export function messageItem(row: MessageContentRow): OutboxItem {
  const id = messageUuid(row.session_id, row.seq);
  return {
    kind: 'message',
    idempotencyKey: `message:${id}`,
    sessionId: row.session_id,
    payload: {
      id,
      sessionId: row.session_id,
      questionId: row.question_id,
      role: CENTRAL_ROLE[row.role],
      content: row.content,
      createdAt: row.created_at,
    },
  };
}

/** A stored evaluation row as the outbox reads it (the label stays on the device). */
export type EvaluationContentRow = Omit<EvaluationRow, 'label'>;

/**
 * `model` and `createdAt` are not stored by today's ingest function; they travel for a later one.
 * With `pdfSha256` (the session's report, uploaded as a blob) it is a new version with its own key.
 */
export function evaluationItem(row: EvaluationContentRow, pdfSha256?: string): OutboxItem {
  return {
    kind: 'evaluation',
    idempotencyKey: pdfSha256 ? `evaluation:${row.id}:pdf:${pdfSha256}` : `evaluation:${row.id}`,
    sessionId: row.session_id,
    payload: {
      id: row.id,
      sessionId: row.session_id,
      professionalism: row.professionalism,
      subjectKnowledge: row.subject_knowledge,
      clarity: row.clarity,
      overall: row.overall,
      traits: JSON.parse(row.traits) as unknown,
      suggestions: JSON.parse(row.suggestions) as unknown,
      feedback: row.feedback,
      questionResponses: JSON.parse(row.question_responses) as unknown,
      details: JSON.parse(row.details) as unknown,
      evaluator: row.evaluator,
      model: row.model,
      createdAt: row.created_at,
      ...(pdfSha256 ? { pdfSha256 } : {}),
    },
  };
}

/** Reads the local rows and queues their items; call inside the writing transaction. */
export class ContentOutbox {
  private readonly own: Database.Statement;
  private readonly question: Database.Statement;
  private readonly message: Database.Statement;
  private readonly evaluation: Database.Statement;
  private readonly latestEvaluation: Database.Statement;

  constructor(private readonly tx: Tx) {
    const db = tx.raw;
    this.own = db.prepare('select 1 from sessions where id = ?');
    this.question = db.prepare(
      `select q.id, q.session_id, q.seq, q.text, q.time_limit_s, q.asked_at, q.closed_at,
         a.text as answer_text, a.final as answer_final, a.updated_at as answer_updated_at,
         a.audio_path as answer_audio_path,
         (select b.sha256 from blob_uploads b
          where b.session_id = q.session_id and b.kind = 'audio' and b.path = a.audio_path
          order by b.created_at desc limit 1) as answer_audio_sha256
       from questions q left join answers a on a.question_id = q.id where q.id = ?`,
    );
    this.message = db.prepare('select * from messages where session_id = ? and seq = ?');
    this.evaluation = db.prepare('select * from evaluations where id = ?');
    this.latestEvaluation = db.prepare(
      'select * from evaluations where session_id = ? order by created_at desc, rowid desc limit 1',
    );
  }

  ownSession(sessionId: string): boolean {
    return this.own.get(sessionId) !== undefined;
  }

  queueQuestion(questionId: string): void {
    const row = this.question.get(questionId) as QuestionContentRow | undefined;
    if (row && this.ownSession(row.session_id)) enqueue(this.tx, questionItem(row, randomUUID()));
  }

  queueMessage(sessionId: string, seq: number): void {
    const row = this.message.get(sessionId, seq) as MessageContentRow | undefined;
    if (row && this.ownSession(sessionId)) enqueue(this.tx, messageItem(row));
  }

  queueEvaluation(evaluationId: string): void {
    const row = this.evaluation.get(evaluationId) as EvaluationContentRow | undefined;
    if (row && this.ownSession(row.session_id)) enqueue(this.tx, evaluationItem(row));
  }

  /** Links the session's latest evaluation to its report PDF (central keeps the hash). */
  queueReportPdf(sessionId: string, pdfSha256: string): void {
    const row = this.latestEvaluation.get(sessionId) as EvaluationContentRow | undefined;
    if (row && this.ownSession(sessionId)) enqueue(this.tx, evaluationItem(row, pdfSha256));
  }
}

const perHandle = new WeakMap<Database.Database, ContentOutbox>();

/** The store's ContentOutbox (its statements are prepared once per connection). */
export function contentOutbox(tx: Tx): ContentOutbox {
  let outbox = perHandle.get(tx.raw);
  if (!outbox) {
    outbox = new ContentOutbox(tx);
    perHandle.set(tx.raw, outbox);
  }
  return outbox;
}
