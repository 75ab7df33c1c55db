// The session's risk at its finish: the one risk computation over the warnings this device stored
// for the session (engine warnings, lockdown violations, those from before a restart), with the
// evidence chain's verdict. Run inside the finishing transaction so the score, its factors and the
// warnings they name are one consistent state.
import type { RiskExplanation } from '../../src-preload/risk-explanation';
import type { ProctoringPolicy } from '../proctoring/policy';
import { riskScore } from '../proctoring/risk-score';
import { verifyChain } from '../store/event-chain';
import type { Tx } from '../store/local-store';

export function sessionRisk(
  tx: Tx,
  sessionId: string,
  policy: ProctoringPolicy,
  endedAt: string,
): RiskExplanation {
  const warnings = tx.all(
    tx.q
      .selectFrom('warnings')
      .select(['id', 'type', 'started_at', 'ended_at', 'confidence'])
      .where('session_id', '=', sessionId)
      .orderBy('started_at'),
  );
  const chain = verifyChain(tx, sessionId);
  return riskScore(
    warnings.map((w) => ({
      id: w.id,
      type: w.type,
      startedAt: w.started_at,
      endedAt: w.ended_at,
      confidence: w.confidence,
    })),
    policy,
    { chainVerdict: chain.ok ? 'intact' : 'broken', sessionEndedAt: endedAt },
  );
}
