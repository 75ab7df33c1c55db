// The one shape of a session's risk score and its explanation, shared by the device's computation
// (src-main/proctoring/risk-score.ts), the local store and the central row, the PDF, `vigil report`
// and the proctor console. Pure (zod only). The rule it carries: the factors' points are the score
// split by each warning's share, so they add up to the score (to the tenth) and a score above 0
// always has at least one factor; `riskExplanationProblem` is the single check of that rule.
import { z } from 'zod';

/** Points are given in tenths; their sum equals the score, which is a whole number. */
export const RISK_POINTS_STEP = 0.1;

export const RiskFactorSchema = z.object({
  /** The stored warning this factor is (local and central id). */
  warningId: z.string().min(1),
  /** Warning type, e.g. `no_face`. */
  type: z.string().min(1),
  startedAt: z.iso.datetime({ offset: true }),
  /** The exam policy's weight for this type. */
  weight: z.number().min(0),
  durationS: z.number().min(0),
  /** Detector confidence 0–1. */
  confidence: z.number().min(0).max(1),
  /** clamp(ln(1+duration)/ln(1+reference), 0.25, 1.5): longer warnings weigh more, within bounds. */
  durationFactor: z.number().min(0),
  /** This factor's share of the score. */
  points: z.number().min(0),
});

const RiskExplanationShape = z.object({
  score: z.number().min(0).max(100),
  factors: z.array(RiskFactorSchema),
  /** Multiplier from the evidence-chain verdict (1 intact, 1.1 unknown, 1.25 broken). */
  chainFactor: z.number().positive(),
  formula: z.string().min(1),
});

export type RiskFactor = z.infer<typeof RiskFactorSchema>;
export type RiskExplanation = z.infer<typeof RiskExplanationShape>;

/** Why an explanation does not explain its score, or null when it does. */
export function riskExplanationProblem(risk: Pick<RiskExplanation, 'score' | 'factors'>): string | null {
  const sum = risk.factors.reduce((total, f) => total + f.points, 0);
  if (risk.score > 0 && !risk.factors.some((f) => f.points > 0)) {
    return `a risk score of ${risk.score} with no factor`;
  }
  // Tenths added as floats drift by far less than half a step.
  if (Math.abs(sum - risk.score) > RISK_POINTS_STEP / 2) {
    return `risk factors add up to ${sum.toFixed(1)}, not to the score ${risk.score}`;
  }
  return null;
}

/** An explanation that is checked: parsing a score without its factors fails. */
export const RiskExplanationSchema = RiskExplanationShape.superRefine((risk, ctx) => {
  const problem = riskExplanationProblem(risk);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['factors'] });
});

/** `no_face` → `No face`. */
export function riskFactorLabel(type: string): string {
  const text = type.replace(/[_-]+/g, ' ').trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The factor's inputs in words, the same in the PDF, the CLI and the console. */
export function riskFactorDetail(f: RiskFactor): string {
  return (
    `${f.durationS.toFixed(1)} s at ${Math.round(f.confidence * 100)} % confidence, ` +
    `weight ${f.weight}${f.durationFactor !== 1 ? ` × duration ${f.durationFactor.toFixed(2)}` : ''}`
  );
}

/** Points as shown everywhere: `+12.5`. */
export function formatRiskPoints(points: number): string {
  return `+${points.toFixed(1)}`;
}
