// A risk explanation for tests that need a finished session with a given score: one factor, the
// given warning, carrying all the points (so it passes the shared invariant).
import type { RiskExplanation } from '../../src-preload/risk-explanation';

export function explainedRisk(
  score: number,
  warningId: string,
  startedAt = new Date().toISOString(),
): RiskExplanation {
  return {
    score,
    factors:
      score > 0
        ? [
            {
              warningId,
              type: 'no_face',
              startedAt,
              weight: 20,
              durationS: 30,
              confidence: 1,
              durationFactor: 1,
              points: score,
            },
          ]
        : [],
    chainFactor: 1,
    formula: 'test',
  };
}
