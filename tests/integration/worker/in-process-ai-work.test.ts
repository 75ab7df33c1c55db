// The demo's in-process worker (embedded PGlite central, no queue) runs the same transcription and
// question-generation handlers as `vigil worker`, with no AI key: an exam's questions come from the
// local generator and reach the device through fetch_exam; a spoken answer is filed as not
// transcribable (no transcription model), so its session's evaluation does not wait forever.
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrollmentCode, createExam, createUser } from '../../../src-main/central/admin';
import { openPglite, type CentralStore } from '../../../src-main/central/connect';
import { sqlDeviceChannel } from '../../../src-main/central/device-channel';
import { migrateCentral } from '../../../src-main/central/migrate';
import { openSealed } from '../../../src-main/security/exam-seal';
import { CachedExamSchema } from '../../../src-main/store/exam-cache';
import { runWorkerRequestsInProcess } from '../../../src-main/worker/in-process';

let central: CentralStore;
beforeAll(async () => {
  central = await openPglite();
  await migrateCentral(central.db);
}, 300_000);
afterAll(async () => {
  await central?.close();
});

describe('the in-process worker of the demo', () => {
  it('generates exam questions for fetch_exam and lets a spoken answer without a transcription model be evaluated', async () => {
    const db = central.db;
    const channel = sqlDeviceChannel(central.query);
    const examId = await createExam(db, {
      title: 'Embedded',
      type: 'GEN',
      difficulty: 4,
      keyQuestions: [{ question: 'Why this role?', time_limit_s: 60 }],
      policy: { generatedQuestions: 3 },
    });
    const candidateId = await createUser(db, { email: 'c@x.test', role: 'candidate' });
    const { code } = await createEnrollmentCode(db, { candidateId, examId });
    const { token } = await channel.redeem(code, 'embedded');

    // The exam arrives sealed (central 0445/0452): opened here with the key the server releases.
    const { key } = await channel.releaseExamKey(token, examId);
    const fetchOpened = async () => {
      const fetched = (await channel.fetchExam(token)) as { sealed: string };
      return CachedExamSchema.parse(openSealed(Buffer.from(fetched.sealed, 'base64'), key));
    };
    // Before the worker ran, the device gets no list (it would generate its own at the start).
    expect((await fetchOpened()).generatedQuestions).toBeNull();
    expect(await runWorkerRequestsInProcess(db, 'demo')).toMatchObject({ questions: 1 });
    const exam = await fetchOpened();
    expect(exam.generatedQuestions).toMatchObject({ source: 'local', model: null });
    expect(exam.generatedQuestions?.questions).toHaveLength(3);
    // Once: nothing is due any more.
    expect(await runWorkerRequestsInProcess(db, 'demo')).toMatchObject({ questions: 0 });

    const sessionId = randomUUID();
    const questionId = randomUUID();
    const audio = Buffer.from('spoken answer audio');
    const sha256 = createHash('sha256').update(audio).digest('hex');
    const t0 = Date.now() - 60_000;
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    await channel.ingest(token, [
      {
        key: `session.start:${sessionId}`,
        kind: 'session.start',
        payload: { id: sessionId, startedAt: at(0) },
      },
      {
        key: `question:${questionId}:spoken`,
        kind: 'question',
        payload: {
          id: questionId,
          sessionId,
          ordinal: 0,
          text: 'Why this role?',
          timeLimitS: 60,
          askedAt: at(1),
          answeredAt: at(20),
          answerText: 'Because I build data platforms.',
          answerAudioSha256: sha256,
        },
      },
      {
        key: `session.update:${sessionId}:finished`,
        kind: 'session.update',
        payload: { id: sessionId, status: 'completed', endedAt: at(30) },
      },
    ]);
    // The audio is not on the server yet: the evaluation waits.
    expect(await runWorkerRequestsInProcess(db, 'demo')).toMatchObject({ evaluated: 0, risks: 1 });

    const blobId = randomUUID();
    await channel.blobBegin(token, {
      id: blobId,
      sessionId,
      kind: 'audio',
      sha256,
      size: audio.length,
      contentType: 'audio/webm',
    });
    await channel.blobChunk(token, blobId, 0, audio, sha256);
    await channel.blobFinish(token, blobId);
    expect(await runWorkerRequestsInProcess(db, 'demo')).toMatchObject({ transcribed: 1, evaluated: 1 });

    const transcript = await db
      .selectFrom('vigil.server_transcripts')
      .select(['status', 'text', 'reason'])
      .where('question_id', '=', questionId)
      .executeTakeFirstOrThrow();
    expect(transcript.status).toBe('failed');
    expect(transcript.text).toBeNull();
    expect(transcript.reason).toMatch(/no transcription model: set ai.transcriptionModel/);
    const evaluation = await db
      .selectFrom('vigil.server_evaluations')
      .select(['evaluator', 'evaluated_by'])
      .where('session_id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(evaluation).toEqual({ evaluator: 'local', evaluated_by: 'demo' });
  }, 60_000);
});
