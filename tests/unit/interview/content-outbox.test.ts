// The interview repository and the evaluation store queue central items in the same transaction
// as their rows: nothing for drafts, a new question version (new key) for a final answer, a late
// answer, a transcript that became the answer or the audio's blob hash; each message once; each
// evaluation, and its report PDF as a new version; nothing for a session that is not this device's,
// and nothing at all when the transaction rolls back.
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertEvaluation } from '../../../src-main/evaluation/evaluation-store';
import type { EvaluationResult } from '../../../src-main/evaluation/types';
import { openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
import { contentOutbox, messageUuid } from '../../../src-main/interview/content-outbox';
import { InterviewRepository } from '../../../src-main/interview/session-repository';
import { ExamSchema } from '../../../src-main/interview/types';
import { registerBlob } from '../../../src-main/store/blob-uploads';
import { startSession } from '../../../src-main/store/sessions';
import { makeTempDir } from '../../support/temp-dir';

const exam = ExamSchema.parse({
  id: 'exam-1',
  title: 'Exam',
  type: 'GEN',
  difficulty: 3,
  key_questions: [{ question: 'Why?', time_limit_s: 60 }],
});

interface Item {
  kind: string;
  key: string;
  payload: Record<string, unknown>;
}

describe('interview content outbox', () => {
  const temp = makeTempDir('vigil-content-outbox-');
  let db: LocalStore;
  let repo: InterviewRepository;
  let sessionId: string;
  const items = (): Item[] =>
    (
      db.raw
        .prepare(
          `SELECT kind, idempotency_key AS key, payload FROM outbox
           WHERE kind IN ('question', 'message', 'evaluation') ORDER BY id`,
        )
        .all() as { kind: string; key: string; payload: string }[]
    ).map((r) => ({ ...r, payload: JSON.parse(r.payload) as Record<string, unknown> }));

  beforeEach(async () => {
    db = await openLocalStore(path.join(temp.dir, `${Math.random()}.db`));
    repo = new InterviewRepository(db);
    sessionId = startSession(db, { examId: exam.id });
    repo.createSession({
      sessionId,
      userId: null,
      snapshot: { exam, resumeText: null, jobListingText: null },
      questions: [{ id: 'q-1', text: 'Why?', timeLimitS: 60, source: 'admin' }],
      startedAt: '2026-01-01T00:00:00.000Z',
    });
  });
  afterEach(async () => {
    await db.close();
  });
  afterAll(() => temp.cleanup());

  const answer = (text: string, final: boolean, extra: { audioPath?: string } = {}) =>
    repo.saveAnswer({
      questionId: 'q-1',
      sessionId,
      text,
      elapsedMs: 1000,
      timedOut: false,
      final,
      updatedAt: '2026-01-01T00:00:10.000Z',
      ...extra,
    });

  it('queues a final answer, not drafts, and a changed answer under a new key', () => {
    repo.markAsked('q-1', '2026-01-01T00:00:01.000Z');
    repo.markAsked('q-1', '2026-01-01T00:00:02.000Z'); // already asked: no change, no item
    answer('dra', false);
    answer('draft', false);
    repo.transaction(() => {
      answer('Because.', true);
      repo.closeQuestion('q-1', '2026-01-01T00:00:11.000Z', 'answered');
      repo.appendMessage(sessionId, 'user', 'Because.', 'q-1', '2026-01-01T00:00:11.000Z');
    });
    answer('Because.', true); // same final answer again: nothing new
    answer('Because, late.', true); // late text within the grace period
    const all = items();
    expect(all.map((i) => [i.kind, i.payload.answerText ?? null, i.payload.answeredAt ?? null])).toEqual([
      ['question', null, null], // created
      ['question', null, null], // asked
      ['question', 'Because.', '2026-01-01T00:00:11.000Z'],
      ['message', null, null],
      ['question', 'Because, late.', '2026-01-01T00:00:11.000Z'],
    ]);
    expect(all[1]!.payload).toMatchObject({
      askedAt: '2026-01-01T00:00:01.000Z',
      ordinal: 0,
      timeLimitS: 60,
    });
    const questionKeys = all.filter((i) => i.kind === 'question').map((i) => i.key);
    expect(new Set(questionKeys).size).toBe(4);
    expect(questionKeys.every((k) => k.startsWith('question:q-1:'))).toBe(true);
    // The message: a stable uuid from (session, seq), central's role name, queued after the question.
    expect(all[3]).toEqual({
      kind: 'message',
      key: `message:${messageUuid(sessionId, 0)}`,
      payload: {
        id: messageUuid(sessionId, 0),
        sessionId,
        questionId: 'q-1',
        role: 'candidate',
        content: 'Because.',
        createdAt: '2026-01-01T00:00:11.000Z',
      },
    });
  });

  it('queues a spoken answer as answered, again with its transcript, and with its audio hash', () => {
    repo.transaction(() => {
      answer('', true, { audioPath: '/answers/a.webm' });
      repo.closeQuestion('q-1', '2026-01-01T00:00:11.000Z', 'answered');
    });
    repo.setTranscript('q-1', 'done', 'Spoken words.', '2026-01-01T00:00:20.000Z');
    repo.setTranscript('q-1', 'done', 'Spoken words.', '2026-01-01T00:00:21.000Z'); // unchanged
    // Once the audio is a registered blob, every version carries its hash (central overwrites it).
    const sha = 'ab'.repeat(32);
    registerBlob(db, {
      id: 'blob-1',
      sessionId,
      kind: 'audio',
      path: '/answers/a.webm',
      sha256: sha,
      size: 10,
      contentType: 'audio/webm',
      deleteAfterUpload: false,
    });
    contentOutbox(db).queueQuestion('q-1');
    const questions = items().filter((i) => i.kind === 'question');
    expect(
      questions.map((i) => [i.payload.answerText, i.payload.answeredAt, i.payload.answerAudioSha256]),
    ).toEqual([
      [null, null, null],
      [null, '2026-01-01T00:00:11.000Z', null],
      ['Spoken words.', '2026-01-01T00:00:11.000Z', null],
      ['Spoken words.', '2026-01-01T00:00:11.000Z', sha],
    ]);
  });

  it('queues nothing for a session that is not this device’s, nor for a rolled-back write', () => {
    const before = items().length;
    repo.createSession({
      sessionId: 'not-mine',
      userId: null,
      snapshot: { exam, resumeText: null, jobListingText: null },
      questions: [{ id: 'q-x', text: 'Who?', timeLimitS: 60, source: 'admin' }],
      startedAt: '2026-01-01T00:00:00.000Z',
    });
    repo.appendMessage('not-mine', 'system', 'hello', null, '2026-01-01T00:00:00.000Z');
    expect(items().length).toBe(before);
    expect(() =>
      repo.transaction(() => {
        repo.markAsked('q-1', '2026-01-01T00:00:01.000Z');
        repo.appendMessage(sessionId, 'assistant', 'Why?', 'q-1', '2026-01-01T00:00:01.000Z');
        throw new Error('crash before commit');
      }),
    ).toThrow('crash before commit');
    expect(items().length).toBe(before);
    expect(repo.messages(sessionId)).toEqual([]);
    // The next write after the rollback queues only its own changes.
    repo.appendMessage(sessionId, 'assistant', 'Why?', 'q-1', '2026-01-01T00:00:02.000Z');
    expect(
      items()
        .slice(before)
        .map((i) => i.kind),
    ).toEqual(['message']);
  });

  it('queues each evaluation under its own key, and its report PDF as a new version', () => {
    const result: EvaluationResult = {
      evaluator: 'local',
      model: 'local-heuristic',
      label: 'Local',
      professionalism: 50,
      subject_knowledge: 40,
      clarity: 60,
      overall: 48,
      traits: ['Brief'],
      suggestions: [],
      feedback: 'Ok.',
      question_responses: [{ question: 'Why?', answer: 'Because.', score: 5, feedback: 'Ok.' }],
      details: {},
    };
    const first = insertEvaluation(db, sessionId, result, '2026-01-01T00:01:00.000Z');
    const second = insertEvaluation(db, sessionId, { ...result, overall: 70 }, '2026-01-01T00:02:00.000Z');
    contentOutbox(db).queueReportPdf(sessionId, 'cd'.repeat(32));
    insertEvaluation(db, 'not-mine', result, '2026-01-01T00:03:00.000Z');
    contentOutbox(db).queueReportPdf('not-mine', 'ef'.repeat(32));
    const evaluations = items().filter((i) => i.kind === 'evaluation');
    expect(evaluations.map((i) => [i.key, i.payload.overall, i.payload.pdfSha256])).toEqual([
      [`evaluation:${first.id}`, 48, undefined],
      [`evaluation:${second.id}`, 70, undefined],
      [`evaluation:${second.id}:pdf:${'cd'.repeat(32)}`, 70, 'cd'.repeat(32)],
    ]);
    expect(evaluations[0]!.payload).toEqual({
      id: first.id,
      sessionId,
      professionalism: 50,
      subjectKnowledge: 40,
      clarity: 60,
      overall: 48,
      traits: ['Brief'],
      suggestions: [],
      feedback: 'Ok.',
      questionResponses: [{ question: 'Why?', answer: 'Because.', score: 5, feedback: 'Ok.' }],
      details: {},
      evaluator: 'local',
      model: 'local-heuristic',
      createdAt: '2026-01-01T00:01:00.000Z',
    });
  });

  it('derives message ids that are stable, distinct and valid uuids', () => {
    const a = messageUuid('s-1', 0);
    expect(messageUuid('s-1', 0)).toBe(a);
    expect(messageUuid('s-1', 1)).not.toBe(a);
    expect(messageUuid('s-2', 0)).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
