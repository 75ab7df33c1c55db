// Session risk score, 0–100, with the factors that make it up, so a reviewer sees *why* a session
// ranks where it does. The one computation of risk: the finish runs it over the session's stored
// warnings, and the score is stored, synced and shown together with these factors.
//
//   raw(w)         = weight[type] × confidence × durationFactor
//   durationFactor = clamp(ln(1 + durationS) / ln(1 + referenceDurationS), 0.25, 1.5)
//   score          = round(100 × (1 − e^(−Σ raw × chainFactor / 100)))  (chainFactor 1 intact, 1.25 broken, 1.1 unknown)
//   points(w)      = score × raw(w) / Σ raw, in tenths, largest remainders first
//
// The saturating curve keeps one long flag from pinning the score at 100 while many strong flags
// still approach it. Points are the score split by each warning's share of the raw sum, so they add
// up to the score exactly and a score above 0 always has a factor. Warnings the policy gives no
// weight are not factors. Weights and the reference duration come from the exam policy.
import {
  RISK_POINTS_STEP,
  riskExplanationProblem,
  type RiskExplanation,
  type RiskFactor,
} from '../../src-preload/risk-explanation';
import { VigilError } from '../errors';
import type { ProctoringPolicy } from './policy';

export type ChainVerdict = 'intact' | 'broken' | 'unknown';
const chainFactors: Record<ChainVerdict, number> = { intact: 1, unknown: 1.1, broken: 1.25 };

export const RISK_FORMULA =
  'score = round(100·(1 − exp(−Σ(weight·confidence·durationFactor)·chainFactor / 100))); ' +
  'durationFactor = clamp(ln(1+duration_s)/ln(1+reference_s), 0.25, 1.5); ' +
  'points = score split by each warning’s share, in tenths';

/** A stored warning, as the risk computation reads it. */
export interface RiskWarning {
  id: string;
  type: string;
  startedAt: string;
  /** Null while open: it counts up to the session's end. */
  endedAt: string | null;
  confidence: number | null;
}

export function riskScore(
  warnings: readonly RiskWarning[],
  policy: ProctoringPolicy,
  options: { chainVerdict?: ChainVerdict; sessionEndedAt?: string } = {},
): RiskExplanation {
  const ref = Math.log1p(policy.risk.referenceDurationS);
  const weights = policy.risk.weights as Record<string, number | undefined>;
  const weighed = warnings.flatMap((warning) => {
    const weight = weights[warning.type] ?? 0;
    if (weight <= 0) return [];
    const startMs = Date.parse(warning.startedAt);
    const endMs = Date.parse(warning.endedAt ?? options.sessionEndedAt ?? warning.startedAt);
    const durationS = Math.max(0, (endMs - startMs) / 1000);
    const durationFactor = Math.min(1.5, Math.max(0.25, Math.log1p(durationS) / ref));
    const confidence = Math.min(1, Math.max(0, warning.confidence ?? 1));
    return [
      { warning, weight, durationS, durationFactor, confidence, raw: weight * confidence * durationFactor },
    ];
  });
  const chainFactor = chainFactors[options.chainVerdict ?? 'intact'];
  const rawSum = weighed.reduce((sum, w) => sum + w.raw, 0);
  const score = Math.round(100 * (1 - Math.exp((-rawSum * chainFactor) / 100)));
  const tenths = splitInSteps(
    score / RISK_POINTS_STEP,
    weighed.map((w) => w.raw),
  );
  const factors: RiskFactor[] = weighed.map((w, i) => ({
    warningId: w.warning.id,
    type: w.warning.type,
    startedAt: new Date(Date.parse(w.warning.startedAt)).toISOString(),
    weight: w.weight,
    durationS: Math.round(w.durationS * 10) / 10,
    confidence: Math.round(w.confidence * 1000) / 1000,
    durationFactor: Math.round(w.durationFactor * 1000) / 1000,
    points: Math.round(tenths[i]!) / 10,
  }));
  factors.sort((a, b) => b.points - a.points || a.startedAt.localeCompare(b.startedAt));
  const explanation: RiskExplanation = { score, factors, chainFactor, formula: RISK_FORMULA };
  const problem = riskExplanationProblem(explanation);
  // Cannot happen by construction; a failure here is a bug in this file, caught before it is stored.
  if (problem) throw new VigilError('INTERNAL', `The risk computation is inconsistent: ${problem}.`);
  return explanation;
}

/** Splits a whole number of steps over shares (largest remainder), so the parts add up exactly. */
function splitInSteps(steps: number, shares: readonly number[]): number[] {
  const total = shares.reduce((s, x) => s + x, 0);
  const whole = Math.round(steps);
  if (total <= 0 || whole <= 0) return shares.map(() => 0);
  const exact = shares.map((x) => (whole * x) / total);
  const parts = exact.map(Math.floor);
  let left = whole - parts.reduce((s, x) => s + x, 0);
  const order = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i]! += 1;
    left -= 1;
  }
  return parts;
}
