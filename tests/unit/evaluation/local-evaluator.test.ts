// The local evaluator must rank a strong, relevant answer above an empty or off-topic one on every
// axis it reports, say it is a heuristic in every output, and be deterministic.
import { describe, expect, it } from 'vitest';
import { LocalEvaluator, evaluateLocally } from '../../../src-main/evaluation/local-evaluator';
import { LOCAL_EVALUATOR_LABEL, type EvaluationInput } from '../../../src-main/evaluation/types';

const job =
  'Senior backend engineer. Design and operate TypeScript services on Node.js with PostgreSQL. ' +
  'Own performance, query tuning, indexing, caching and incident response for a payments API.';
const resume =
  'Six years building Node.js and TypeScript APIs; PostgreSQL tuning; on-call lead for payments.';
const question = 'How would you find and fix a slow PostgreSQL query in a payments API?';

const strong =
  'First, I would confirm the symptom with metrics: p99 latency of the payments API and the slow query log in PostgreSQL. ' +
  'Then I would run EXPLAIN ANALYZE on the query to see whether it does a sequential scan or a bad join. ' +
  'For example, at my previous job a payments report scanned 40 million rows because an index on merchant_id and created_at was missing. ' +
  'I added a composite index, rewrote the query to use keyset pagination, and the latency dropped from 3 seconds to 40 milliseconds. ' +
  'Finally, I would add a regression test and a dashboard alert so the team sees it before customers do.';
const offTopic =
  'My favourite holiday was a walking trip in the mountains of Scotland with my family. ' +
  'We stayed in small villages, cooked dinner over a camp stove and watched the weather change every hour. ' +
  'The best day was climbing a ridge at sunrise, when the clouds lay below us like a sea. ' +
  'I would recommend the trip to anyone who enjoys long walks and quiet evenings.';

function input(answer: string): EvaluationInput {
  return {
    sessionId: 's1',
    examId: 'e1',
    userId: null,
    exam: { title: 'Backend engineer', type: 'SKL', difficulty: 7 },
    resumeText: resume,
    jobListingText: job,
    responses: [{ question, answer, timeLimitS: 120, elapsedMs: 90_000, timedOut: false }],
    proctoring: { available: true, warningCount: 2 },
  };
}

describe('local evaluator', () => {
  const good = evaluateLocally(input(strong));
  const empty = evaluateLocally(input(''));
  const off = evaluateLocally(input(offTopic));

  it('ranks a strong relevant answer above empty and off-topic answers on every axis', () => {
    for (const worse of [empty, off]) {
      for (const axis of ['professionalism', 'subject_knowledge', 'clarity', 'overall'] as const) {
        expect(good[axis], axis).toBeGreaterThan(worse[axis]);
      }
      expect(good.question_responses[0]!.score).toBeGreaterThan(worse.question_responses[0]!.score);
    }
    expect(empty.overall).toBe(0);
    expect(good.overall).toBeGreaterThanOrEqual(60);
  });

  it('ranks the strong answer above the off-topic one on every rubric criterion', () => {
    const f = (r: typeof good) => (r.details.features as Record<string, number>[])[0]!;
    for (const c of ['relevance', 'coverage']) expect(f(good)[c], c).toBeGreaterThan(f(off)[c]!);
    for (const c of ['relevance', 'coverage', 'structure', 'clarity', 'length'])
      expect(f(good)[c], c).toBeGreaterThan(f(empty)[c]!);
  });

  it('labels itself as a local heuristic in every output and explains its rubric', () => {
    for (const r of [good, empty, off]) {
      expect(r.evaluator).toBe('local');
      expect(r.label).toBe(LOCAL_EVALUATOR_LABEL);
      expect(r.feedback.startsWith('[Local heuristic]')).toBe(true);
      for (const q of r.question_responses) expect(q.feedback.startsWith('[Local heuristic]')).toBe(true);
      expect((r.details.rubric as { criteria: Record<string, string> }).criteria.relevance).toContain(
        'job listing',
      );
      expect(r.details.proctoring).toEqual({ available: true, warningCount: 2 });
    }
    expect(empty.traits).toContain('Left 1 of 1 question(s) unanswered');
  });

  it('gives the same output for the same input', async () => {
    const again = await new LocalEvaluator().evaluate(input(strong));
    expect(JSON.stringify(again)).toBe(JSON.stringify(good));
  });
});
