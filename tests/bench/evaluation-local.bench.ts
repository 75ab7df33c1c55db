// Benchmark: local (heuristic) evaluation of a 10-question session. Goal from issue 6: ≤ 50 ms.
import { evaluateLocally } from '../../src-main/evaluation/local-evaluator';
import { sampleSession } from './support/interview-sample';
import { percentile, writeBenchResult } from './support/result';

const GOAL_MS = 50;
// The very first evaluation in a fresh process (cold JIT) is what a CLI user sees.
const cold = performance.now();
evaluateLocally(sampleSession);
const coldMs = performance.now() - cold;
for (let i = 0; i < 50; i++) evaluateLocally(sampleSession); // warm-up (JIT)
const times: number[] = [];
for (let i = 0; i < 500; i++) {
  const t = performance.now();
  evaluateLocally(sampleSession);
  times.push(performance.now() - t);
}
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const p95 = percentile(times, 95);
writeBenchResult({
  name: 'evaluation-local',
  figures: {
    questions: sampleSession.responses.length,
    runs: times.length,
    p50Ms: round3(percentile(times, 50)),
    p95Ms: round3(p95),
    maxMs: round3(Math.max(...times)),
    coldFirstRunMs: round3(coldMs),
    goalMs: GOAL_MS,
    p95ToGoalRatio: round3(p95 / GOAL_MS),
  },
  goals: {
    p95LocalEvaluation10Questions: { target: `≤ ${GOAL_MS} ms`, met: p95 <= GOAL_MS },
    coldFirstRun: { target: `≤ ${GOAL_MS} ms`, met: coldMs <= GOAL_MS },
  },
  notes:
    'evaluateLocally() on a 10-question session (answers 0–110 words, job listing and resume), after 50 warm-up runs.',
});
