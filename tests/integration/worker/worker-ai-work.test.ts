// Issue 18 item 1, the rest of the worker's AI work: a `vigil worker` process transcribes a spoken
// answer from the audio the device uploaded (the server's transcript, not the device's, is what the
// server evaluates, and the evaluation waits for it), and generates an exam's questions once, which
// fetch_exam hands to a device that has no AI key. Every AI call is one central token_usage row, and
// the fake provider sees only the worker's key.
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExam, createJobListing, createResume, createUser } from '../../../src-main/central/admin';
import { loadConfig } from '../../../src-main/config/load';
import { ReviewService } from '../../../src-main/review/review-service';
import { createAiServices } from '../../../src-main/evaluation/ai-services';
import { openCachedExam } from '../../../src-main/store/exam-cache';
import { generatedQuestionCount, planQuestions } from '../../../src-main/interview/plan-questions';
import {
  enrollLocalDevice,
  startCentral,
  type CentralFixture,
  type EnrolledTestDevice,
} from '../../support/central';
import { startFakeOpenAI, type FakeOpenAI, type RecordedRequest } from '../../support/fake-openai';
import { makeTempDir } from '../../support/temp-dir';
import { scoredEvaluation, spawnWorker, stopWorker, waitFor, type WorkerProcess } from '../../support/worker';

const KEY = 'sk-worker-ai-9c1d';
const FAST = ['--concurrency', '2', '--retry-delay-seconds', '0'];
const SERVER_TRANSCRIPT =
  'I moved our billing database to PostgreSQL and cut the nightly job from 4 hours to 20 minutes.';
const DEVICE_TRANSCRIPT = 'I am by far the strongest candidate you will ever interview.';

let central: CentralFixture;
let fake: FakeOpenAI;
let worker: WorkerProcess;
const temp = makeTempDir('vigil-worker-ai-');

const transcriptionCalls = () => fake.requests.filter((r) => r.path.endsWith('/audio/transcriptions'));
const chatCalls = () => fake.requests.filter((r) => r.path.endsWith('/chat/completions'));
const promptOf = (r: RecordedRequest) =>
  ((r.json as { messages?: { role: string; content: string }[] } | null)?.messages ?? [])
    .map((m) => m.content)
    .join('\n');

/**
 * What a device sends for a finished session with one spoken answer: the session, the answer with
 * its audio's hash and the device's own (here: flattering) transcript as its text, the finish. The
 * audio follows later (uploadAudio).
 */
async function fileSpokenSession(device: EnrolledTestDevice) {
  const sessionId = randomUUID();
  const questionId = randomUUID();
  const audio = Buffer.from(`OggS fake opus audio of one spoken answer ${randomUUID()}`, 'latin1');
  const sha256 = createHash('sha256').update(audio).digest('hex');
  const at = (s: number) => new Date(Date.parse('2026-12-02T10:00:00Z') + s * 1000).toISOString();
  const receipts = await central.channel.ingest(device.token, [
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
        text: 'Describe a database migration you led.',
        timeLimitS: 120,
        askedAt: at(5),
        answeredAt: at(60),
        answerText: DEVICE_TRANSCRIPT,
        answerAudioSha256: sha256,
      },
    },
    {
      key: `session.update:${sessionId}:finished`,
      kind: 'session.update',
      payload: { id: sessionId, status: 'completed', endedAt: at(90) },
    },
  ]);
  expect(receipts.filter((r) => r.status === 'rejected')).toEqual([]);
  return { sessionId, questionId, audio, sha256 };
}

/** The device's blob upload of the answer's audio (blob_begin, one chunk, blob_finish). */
async function uploadAudio(device: EnrolledTestDevice, sessionId: string, audio: Buffer): Promise<void> {
  const sha256 = createHash('sha256').update(audio).digest('hex');
  const blobId = randomUUID();
  await central.channel.blobBegin(device.token, {
    id: blobId,
    sessionId,
    kind: 'audio',
    sha256,
    size: audio.length,
    contentType: 'audio/ogg',
  });
  await central.channel.blobChunk(device.token, blobId, 0, audio, sha256);
  await central.channel.blobFinish(device.token, blobId);
}

beforeAll(async () => {
  central = await startCentral();
  fake = await startFakeOpenAI();
  fake.setDefault('transcription', () => ({
    kind: 'transcription',
    text: SERVER_TRANSCRIPT,
    usage: { type: 'tokens', input_tokens: 61, output_tokens: 19 },
  }));
  fake.setDefault('chat', (req) => {
    if (promptOf(req).includes('interview questions for'))
      return {
        kind: 'chat',
        usage: { prompt_tokens: 300, completion_tokens: 90 },
        content: {
          questions: [
            { question: 'How did you plan the cut-over of a PostgreSQL migration?', time_limit_s: 150 },
            {
              question: 'Which index would you add first to a slow billing query, and why?',
              time_limit_s: 150,
            },
          ],
        },
      };
    return scoredEvaluation(req);
  });
  worker = await spawnWorker(central, 'worker_ai', {
    env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: fake.baseURL, VIGIL_AI_TRANSCRIPTION_MODEL: 'whisper-1' },
    args: FAST,
  });
  await worker.started;
}, 60_000);

afterAll(async () => {
  if (worker) await stopWorker(worker);
  await fake?.close();
  await central?.close();
  temp.cleanup();
});

describe('the worker transcribes spoken answers and generates exam questions', () => {
  it('a spoken answer uploaded to central is transcribed by the worker, billed centrally, and the evaluation waits for and reads it', async () => {
    const device = await central.enroll();
    const { sessionId, questionId, audio, sha256 } = await fileSpokenSession(device);

    // Finished, but its spoken answer has no server transcript: the worker files no evaluation.
    await waitFor('the evaluation job to run and wait', async () =>
      worker.events.some(
        (e) => e.kind === 'evaluated' && e.sessionId === sessionId && e.outcome === 'waiting_for_transcripts',
      ),
    );
    const early = await central.owner.db
      .selectFrom('vigil.server_evaluations')
      .select('session_id')
      .where('session_id', '=', sessionId)
      .execute();
    expect(early).toEqual([]);
    expect(transcriptionCalls()).toHaveLength(0);

    // The device uploads the audio through the blob path.
    await uploadAudio(device, sessionId, audio);

    const transcript = await waitFor('the server transcript', () =>
      central.owner.db
        .selectFrom('vigil.server_transcripts')
        .selectAll()
        .where('question_id', '=', questionId)
        .executeTakeFirst(),
    );
    expect(transcript).toMatchObject({
      status: 'done',
      text: SERVER_TRANSCRIPT,
      model: 'whisper-1',
      transcribed_by: 'worker_ai',
      session_id: sessionId,
    });
    expect(transcript.audio_sha256.toString('hex')).toBe(sha256);
    // The device's transcript stays as it sent it (advisory).
    const question = await central.owner.db
      .selectFrom('vigil.questions')
      .select('answer_text')
      .where('id', '=', questionId)
      .executeTakeFirstOrThrow();
    expect(question.answer_text).toBe(DEVICE_TRANSCRIPT);

    // One transcription call, with the worker's key and the audio the device uploaded.
    const calls = transcriptionCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(calls[0]!.body).toContain(audio.toString('latin1'));

    // The transcript completes the session: the evaluation runs on the server's transcript.
    const evaluation = await waitFor('the server evaluation', () =>
      central.owner.db
        .selectFrom('vigil.server_evaluations')
        .select(['evaluator', 'overall'])
        .where('session_id', '=', sessionId)
        .executeTakeFirst(),
    );
    expect(evaluation).toEqual({ evaluator: 'openai', overall: 74 });
    const evaluationPrompts = chatCalls()
      .map(promptOf)
      .filter((p) => p.includes('Describe a database migration you led.'));
    expect(evaluationPrompts).toHaveLength(1);
    expect(evaluationPrompts[0]).toContain(SERVER_TRANSCRIPT);
    expect(evaluationPrompts[0]).not.toContain(DEVICE_TRANSCRIPT);

    // One token_usage row per AI call, on the central server, for this session.
    const usage = await central.owner.db
      .selectFrom('vigil.token_usage')
      .select(['request_type', 'model', 'prompt_tokens', 'completion_tokens', 'exam_id', 'user_id'])
      .where('session_id', '=', sessionId)
      .orderBy('request_type')
      .execute();
    expect(usage).toEqual([
      expect.objectContaining({ request_type: 'evaluation', prompt_tokens: 420 }),
      {
        request_type: 'transcription',
        model: 'whisper-1',
        prompt_tokens: 61,
        completion_tokens: 19,
        exam_id: device.examId,
        user_id: device.candidateId,
      },
    ]);
    // Nothing of the key reached the device.
    expect(JSON.stringify(await central.channel.fetchExam(device.token))).not.toContain(KEY);

    // The proctor reads the server's transcript, with the device's text beside it.
    const proctor = await central.createProctor('proctor_ai', [device.examId]);
    const review = await new ReviewService(proctor.store.query).load(sessionId);
    expect(review.answers).toEqual([
      expect.objectContaining({ serverTranscript: SERVER_TRANSCRIPT, answer: DEVICE_TRANSCRIPT }),
    ]);
  }, 60_000);

  it('audio the provider refuses is filed as not transcribable, billed as a call, and the session is evaluated on what the device sent', async () => {
    fake.script('transcription', { kind: 'status', status: 400, message: 'Invalid file format.' });
    const device = await central.enroll();
    const { sessionId, questionId, audio } = await fileSpokenSession(device);
    await uploadAudio(device, sessionId, audio);
    const transcript = await waitFor('the failed server transcript', () =>
      central.owner.db
        .selectFrom('vigil.server_transcripts')
        .select(['status', 'text', 'reason'])
        .where('question_id', '=', questionId)
        .executeTakeFirst(),
    );
    expect(transcript.status).toBe('failed');
    expect(transcript.text).toBeNull();
    expect(transcript.reason).toMatch(/HTTP 400/);
    // The evaluation does not wait for a transcript that cannot come: it reads the device's text.
    await waitFor('the server evaluation', () =>
      central.owner.db
        .selectFrom('vigil.server_evaluations')
        .select('session_id')
        .where('session_id', '=', sessionId)
        .executeTakeFirst(),
    );
    const usage = await central.owner.db
      .selectFrom('vigil.token_usage')
      .select(['request_type', 'prompt_tokens'])
      .where('session_id', '=', sessionId)
      .orderBy('request_type')
      .execute();
    expect(usage).toEqual([
      { request_type: 'evaluation', prompt_tokens: 420 },
      { request_type: 'transcription', prompt_tokens: 0 },
    ]);
  }, 60_000);

  it("an exam's generated questions are made once by the worker and planned by a device without a key", async () => {
    const admin = await createUser(central.owner.db, { email: 'admin-ai@x.test', role: 'admin' });
    const resumeId = await createResume(central.owner.db, {
      userId: admin,
      fileName: 'cv.txt',
      text: 'Ten years of PostgreSQL administration and billing systems.',
    });
    const jobListingId = await createJobListing(central.owner.db, {
      userId: admin,
      title: 'Database engineer',
      description: 'Own the billing database.',
    });
    const before = chatCalls().length;
    // Creating the exam is all the admin does: its trigger requests the questions.
    const examId = await createExam(central.owner.db, {
      title: 'Database engineer interview',
      type: 'SKL',
      difficulty: 6,
      keyQuestions: [{ question: 'Why?', time_limit_s: 60 }],
      resumeId,
      jobListingId,
      policy: { generatedQuestions: 2 },
    });

    const stored = await waitFor('the exam questions', () =>
      central.owner.db
        .selectFrom('vigil.exam_generated_questions')
        .selectAll()
        .where('exam_id', '=', examId)
        .executeTakeFirst(),
    );
    expect(stored).toMatchObject({ generator: 'ai', model: 'gpt-4o-mini', generated_by: 'worker_ai' });
    expect(stored.questions.map((q) => q.question)).toEqual([
      'How did you plan the cut-over of a PostgreSQL migration?',
      'Which index would you add first to a slow billing query, and why?',
    ]);
    // One generation call, with the worker's key, from the exam's resume and job listing.
    const calls = chatCalls().slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(promptOf(calls[0]!)).toContain('Ten years of PostgreSQL administration');
    expect(promptOf(calls[0]!)).toContain('Own the billing database.');
    const usage = await central.owner.db
      .selectFrom('vigil.token_usage')
      .select(['request_type', 'prompt_tokens', 'session_id'])
      .where('exam_id', '=', examId)
      .execute();
    expect(usage).toEqual([{ request_type: 'question_generation', prompt_tokens: 300, session_id: null }]);

    // Two candidates enroll: each device gets the worker's list with the exam, and plans its
    // interview from it with no AI key of its own (its generator is the local one).
    for (const n of [1, 2]) {
      const local = await enrollLocalDevice(central, {
        dir: path.join(temp.dir, `device-${n}`),
        examId,
        label: `device ${n}`,
      });
      try {
        // The list travels inside the sealed content: readable once the server releases the key.
        const { key } = await central.channel.releaseExamKey(local.token()!, examId);
        const exam = openCachedExam(local.store, examId, key);
        expect(exam.generatedQuestions?.source).toBe('ai');
        // The device's configuration as it loads it: no key anywhere.
        const home = path.join(temp.dir, `home-${n}`);
        const config = loadConfig({ env: {}, home, root: home, platform: 'linux' }).config;
        const ai = createAiServices({ config, store: local.store, env: {} });
        expect(ai.settings).toBeNull();
        const planned = await planQuestions(
          {
            id: exam.id,
            title: exam.title,
            type: exam.type,
            difficulty: exam.difficulty,
            key_questions: exam.keyQuestions,
            resume_id: null,
            job_listing_id: null,
            proctoring_policy: exam.policy,
          },
          ai.generator,
          {
            generateCount: generatedQuestionCount(exam.policy),
            serverQuestions: exam.generatedQuestions ?? null,
          },
        );
        expect(planned.map((q) => [q.source, q.text])).toEqual([
          ['admin', 'Why?'],
          ['ai', 'How did you plan the cut-over of a PostgreSQL migration?'],
          ['ai', 'Which index would you add first to a slow billing query, and why?'],
        ]);
      } finally {
        await local.store.close();
      }
    }
    // Made once: the enrollments asked the provider nothing more.
    expect(chatCalls().slice(before)).toHaveLength(1);

    // The admin changes the basis (more questions): the old list is no longer handed out, and the
    // worker makes a new one.
    fake.script('chat', {
      kind: 'chat',
      usage: { prompt_tokens: 310, completion_tokens: 120 },
      content: {
        questions: [
          { question: 'Q1 about billing?', time_limit_s: 120 },
          { question: 'Q2 about indexes?', time_limit_s: 120 },
          { question: 'Q3 about backups?', time_limit_s: 120 },
        ],
      },
    });
    await central.owner.db
      .updateTable('vigil.exams')
      .set({ policy: JSON.stringify({ generatedQuestions: 3 }) })
      .where('id', '=', examId)
      .execute();
    await waitFor('the new list', async () => {
      const row = await central.owner.db
        .selectFrom('vigil.exam_generated_questions')
        .select('questions')
        .where('exam_id', '=', examId)
        .executeTakeFirstOrThrow();
      return row.questions.length === 3;
    });
    expect(chatCalls().slice(before)).toHaveLength(2);
  }, 60_000);
});
