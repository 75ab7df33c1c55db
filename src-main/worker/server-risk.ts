// The server's risk score for a session: the one risk computation (proctoring/risk-score.ts) over
// the warnings the server holds, with the policy the server gives that candidate (the exam's, with
// the enrollment's accommodation profile, as fetch_exam hands it to the device) and the server's
// evidence-chain verdict. Filed with its factors in sessions.server_risk_*; the device's own score
// stays where it is, as the device's.
import { sql, type Kysely } from 'kysely';
import type { RiskExplanation } from '../../src-preload/risk-explanation';
import type { CentralDatabase } from '../central/schema';
import { VigilError } from '../errors';
import { resolvePolicy, type PolicyOverrides } from '../proctoring/policy';
import { riskScore } from '../proctoring/risk-score';

/** The detector profile an accommodation names: a profile name, or a profile's `detectors`. */
function detectorsOf(accommodation: unknown): string | PolicyOverrides | undefined {
  if (typeof accommodation === 'string') return accommodation;
  if (accommodation && typeof accommodation === 'object' && 'detectors' in accommodation)
    return (accommodation as { detectors?: string | PolicyOverrides }).detectors;
  return undefined;
}

export async function computeServerRisk(
  db: Kysely<CentralDatabase>,
  sessionId: string,
): Promise<RiskExplanation> {
  const { rows } = await sql<{
    policy: Record<string, unknown>;
    ended_at: Date | null;
    evidence_verdict: string;
  }>`SELECT vigil.session_policy(s.id) AS policy, s.ended_at, s.evidence_verdict
     FROM vigil.sessions s WHERE s.id = ${sessionId}`.execute(db);
  const session = rows[0];
  if (!session)
    throw new VigilError('NOT_FOUND', `The central server holds no session ${sessionId}.`, { sessionId });
  const warnings = await db
    .selectFrom('vigil.warnings')
    .select(['id', 'type', 'started_at', 'ended_at', 'confidence'])
    .where('session_id', '=', sessionId)
    .orderBy('started_at')
    .execute();
  const policy = resolvePolicy(session.policy, detectorsOf(session.policy.accommodation));
  return riskScore(
    warnings.map((w) => ({
      id: w.id,
      type: w.type,
      startedAt: new Date(w.started_at).toISOString(),
      endedAt: w.ended_at === null ? null : new Date(w.ended_at).toISOString(),
      confidence: w.confidence,
    })),
    policy,
    {
      // `incomplete` may still be catching up (events in flight): neither intact nor broken yet.
      chainVerdict:
        session.evidence_verdict === 'intact'
          ? 'intact'
          : session.evidence_verdict === 'incomplete'
            ? 'unknown'
            : 'broken',
      ...(session.ended_at ? { sessionEndedAt: new Date(session.ended_at).toISOString() } : {}),
    },
  );
}

/** Recomputes and files the server's risk for a session; returns what was filed. */
export async function fileServerRisk(
  db: Kysely<CentralDatabase>,
  sessionId: string,
): Promise<RiskExplanation> {
  const risk = await computeServerRisk(db, sessionId);
  await db
    .updateTable('vigil.sessions')
    .set({
      server_risk_score: risk.score,
      server_risk_factors: JSON.stringify(risk),
      server_risk_at: new Date(),
    })
    .where('id', '=', sessionId)
    .execute();
  return risk;
}
