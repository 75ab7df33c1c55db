// Question generation: the local generator is deterministic and fits the documents and difficulty;
// the AI generator goes through the OpenAI protocol (local server) with its usage in the ledger.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pricing } from '../../../src-main/evaluation/pricing';
import { StructuredChat } from '../../../src-main/evaluation/structured-chat';
import { TokenLedger } from '../../../src-main/evaluation/token-ledger';
import { VigilError } from '../../../src-main/errors';
import { openLocalStore, type LocalStore } from '../../../src-main/store/local-store';
import {
  AiQuestionGenerator,
  generateLocally,
  timeLimitFor,
} from '../../../src-main/interview/question-generator';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fake-openai';

const job =
  'We need a Kubernetes and PostgreSQL expert. Kubernetes operators, PostgreSQL replication, Kubernetes upgrades.';
const resume = 'Terraform, Terraform modules, Terraform at scale; some Ansible.';

describe('local question generator', () => {
  it('is deterministic, uses the job listing and resume keywords, and scales time with difficulty', () => {
    const a = generateLocally({
      type: 'SKL',
      difficulty: 9,
      jobListingText: job,
      resumeText: resume,
      count: 6,
    });
    expect(a).toEqual(
      generateLocally({ type: 'SKL', difficulty: 9, jobListingText: job, resumeText: resume, count: 6 }),
    );
    expect(a).toHaveLength(6);
    expect(new Set(a.map((q) => q.question)).size).toBe(6);
    expect(a.some((q) => q.question.includes('Kubernetes'))).toBe(true);
    expect(a.some((q) => q.question.includes('Terraform'))).toBe(true);
    expect(a.every((q) => q.time_limit_s === timeLimitFor('SKL', 9))).toBe(true);
    expect(timeLimitFor('SKL', 9)).toBeGreaterThan(timeLimitFor('SKL', 2));
    // Harder exams start from harder templates.
    const easy = generateLocally({ type: 'SKL', difficulty: 1, jobListingText: job, count: 1 });
    expect(easy[0]!.question).not.toBe(a[0]!.question);
  });

  it('refuses an unknown type or a difficulty outside 1–10 with a typed error', () => {
    expect(() => generateLocally({ type: 'XYZ' as 'GEN', difficulty: 5 })).toThrow(VigilError);
    expect(() => generateLocally({ type: 'GEN', difficulty: 11 })).toThrow(/1 to 10/);
  });
});

describe('AI question generator', () => {
  let fake: FakeOpenAI;
  let db: LocalStore;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    db = await openLocalStore(':memory:');
  });
  afterAll(async () => {
    await db.close();
    await fake.close();
  });

  it('asks the model with json_schema, retries a wrong count, and bills both requests', async () => {
    const questions = [
      { question: 'How do you upgrade a Kubernetes cluster safely?', time_limit_s: 240 },
      { question: 'How does PostgreSQL streaming replication fail?', time_limit_s: 240 },
    ];
    fake.script(
      'chat',
      {
        kind: 'chat',
        content: { questions: questions.slice(0, 1) },
        usage: { prompt_tokens: 500, completion_tokens: 40 },
      },
      { kind: 'chat', content: { questions }, usage: { prompt_tokens: 560, completion_tokens: 80 } },
    );
    const ledger = new TokenLedger(db, new Pricing());
    const chat = new StructuredChat({
      settings: {
        apiKey: 'k',
        baseURL: fake.baseURL,
        model: 'gpt-4.1-mini',
        transcriptionModel: undefined,
        timeoutMs: 5000,
      },
      ledger,
    });
    const result = await new AiQuestionGenerator(chat).generate({
      type: 'SKL',
      difficulty: 7,
      jobListingText: job,
      count: 2,
      context: { examId: 'exam-9' },
    });
    expect(result).toEqual(questions);
    const prompt = (fake.requests[0]!.json as { messages: { content: string }[] }).messages[1]!.content;
    expect(prompt).toContain('difficulty 7');
    expect(prompt).toContain('Kubernetes operators');
    // gpt-4.1-mini: $0.40 / $1.60 per 1M tokens.
    expect(ledger.list().map((r) => [r.requestType, r.status, r.examId, r.costNanoUsd])).toEqual([
      ['question_generation', 'invalid_output', 'exam-9', 500 * 400 + 40 * 1600],
      ['question_generation', 'ok', 'exam-9', 560 * 400 + 80 * 1600],
    ]);
  });
});
