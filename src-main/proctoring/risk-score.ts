// Session risk score, 0–100, with the contributions that make it up, so a reviewer sees *why* a
// session ranks where it does.
//
//   points(w)  = weight[type] × confidence × durationFactor
//   durationFactor = clamp(ln(1 + durationS) / ln(1 + referenceDurationS), 0.25, 1.5)
//   raw        = Σ points × chainFactor        (chainFactor 1 intact, 1.25 broken, 1.1 unknown)
//   score      = round(100 × (1 − e^(−raw / 100)))
//
// The saturating curve keeps one long flag from pinning the score at 100 while many strong flags
// still approach it. Weights and the reference duration come from the exam policy.
import type { ProctoringPolicy } from './policy';
import type { ProctoringWarning, RiskContribution, RiskScore } from './types';

export type ChainVerdict = 'intact' | 'broken' | 'unknown';
const chainFactors: Record<ChainVerdict, number> = { intact: 1, unknown: 1.1, broken: 1.25 };

export const RISK_FORMULA =
  'score = 100·(1 − exp(−Σ(weight·confidence·durationFactor)·chainFactor / 100)); ' +
  'durationFactor = clamp(ln(1+duration_s)/ln(1+reference_s), 0.25, 1.5)';

export function riskScore(
  warnings: readonly ProctoringWarning[],
  policy: ProctoringPolicy,
  options: { chainVerdict?: ChainVerdict; sessionEndMs?: number } = {},
): RiskScore {
  const ref = Math.log1p(policy.risk.referenceDurationS);
  const contributions: RiskContribution[] = warnings.map((warning) => {
    const weight = policy.risk.weights[warning.type] ?? 0;
    const endMs = warning.endMs ?? options.sessionEndMs ?? warning.startMs;
    const durationS = Math.max(0, (endMs - warning.startMs) / 1000);
    const durationFactor = Math.min(1.5, Math.max(0.25, Math.log1p(durationS) / ref));
    const points = Math.round(weight * warning.confidence * durationFactor * 100) / 100;
    return {
      warningId: warning.id,
      type: warning.type,
      weight,
      durationS: Math.round(durationS * 10) / 10,
      confidence: warning.confidence,
      points,
      reason: `${warning.type} for ${durationS.toFixed(1)} s at confidence ${warning.confidence.toFixed(2)} (weight ${weight})`,
    };
  });
  contributions.sort((a, b) => b.points - a.points);
  const chainFactor = chainFactors[options.chainVerdict ?? 'intact'];
  const raw = contributions.reduce((sum, c) => sum + c.points, 0) * chainFactor;
  return {
    score: Math.round(100 * (1 - Math.exp(-raw / 100))),
    contributions,
    chainFactor,
    formula: RISK_FORMULA,
  };
}
