// A central session row's risk: the explanation filed with the score (migration 0402), parsed with
// the shared schema so a row whose factors do not add up to its score fails loudly here instead of
// showing an unexplained number in the console or the PDF.
import { RiskExplanationSchema, type RiskExplanation } from '../../src-preload/risk-explanation';
import { VigilError } from '../errors';

export function centralRisk(row: { id?: unknown; risk_factors?: unknown }): RiskExplanation | null {
  if (row.risk_factors === null || row.risk_factors === undefined) return null;
  const parsed = RiskExplanationSchema.safeParse(row.risk_factors);
  if (!parsed.success) {
    throw new VigilError(
      'INTEGRITY',
      `The risk stored for session ${String(row.id)} does not explain its score (${parsed.error.issues[0]?.message}); ask an administrator to check the central database.`,
    );
  }
  return parsed.data;
}
