// A realistic 10-question session for the evaluation benchmarks: a job listing, a resume and
// answers of 60–180 words, some strong, some weak, one empty.
import type { EvaluationInput } from '../../../src-main/evaluation/types';

const job =
  'Senior backend engineer for a payments platform. You will design and operate TypeScript services on Node.js, ' +
  'PostgreSQL and Kafka; own performance, observability, incident response and on-call; mentor engineers; ' +
  'and work with product on reliability goals. Experience with Kubernetes, query tuning and event-driven design is required.';
const resume =
  'Eight years building backend systems. Led the payments ledger team at a fintech: Node.js, TypeScript, PostgreSQL, ' +
  'Kafka, Kubernetes. Reduced p99 latency by 60% through query tuning and caching. Ran incident reviews and on-call rotations.';

const strong =
  'First, I would reproduce the problem with metrics from our dashboards and the slow query log in PostgreSQL. ' +
  'Then I would run EXPLAIN ANALYZE and look for sequential scans, bad join orders or missing indexes. ' +
  'For example, at my previous job a ledger report scanned forty million rows because a composite index on account and date was missing. ' +
  'I added the index, rewrote the query with keyset pagination, and the p99 latency dropped from three seconds to forty milliseconds. ' +
  'Finally, I added a regression test and an alert on the query latency so the team would see a repeat before customers did. ' +
  'As a result, the on-call load for that service fell noticeably over the next quarter.';
const medium =
  'I would look at the logs and the metrics to see what is going on, then try to fix the part that is slow. ' +
  'Usually it is the database, so I would check the queries and maybe add an index or a cache. ' +
  'I have done this a few times in my last job with Node.js services.';
const weak = 'um, basically I would kind of just restart it and see, you know, whatever works.';
const offTopic =
  'I enjoy hiking in the mountains and cooking for friends at the weekend. Last summer I walked across the Alps with my brother.';

const questions = [
  'How would you find and fix a slow PostgreSQL query in a payments API?',
  'Describe how you would design an idempotent payment ingestion service with Kafka.',
  'Tell us about an incident you led. What happened and what did you change afterwards?',
  'How do you make a Node.js service observable in production?',
  'How would you roll out a breaking database schema change with zero downtime?',
  'How do you mentor a junior engineer who is struggling with code reviews?',
  'What is your approach to capacity planning for a Kubernetes-hosted service?',
  'Explain how you would guarantee exactly-once processing of ledger events.',
  'How do you decide between caching and query optimisation?',
  'What reliability goals would you propose for a payments API, and why?',
];
const answers = [strong, medium, strong, medium, weak, strong, offTopic, medium, '', strong];

export const sampleSession: EvaluationInput = {
  sessionId: 'bench-session',
  examId: 'bench-exam',
  userId: 'bench-user',
  exam: { title: 'Senior backend engineer', type: 'SKL', difficulty: 7 },
  resumeText: resume,
  jobListingText: job,
  responses: questions.map((question, i) => ({
    question,
    answer: answers[i] as string,
    timeLimitS: 180,
    elapsedMs: 120_000,
    timedOut: i === 4,
  })),
  proctoring: { available: true, warningCount: 2, warningsByType: { looking_away: 2 } },
};
