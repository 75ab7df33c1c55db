// The session's risk score with every factor that makes it up: which warning, its weight, duration
// and confidence, and the points it adds (they sum to the score). Picking a factor selects its
// warning, so the proctor can check the evidence behind each point.
import {
  formatRiskPoints,
  riskFactorDetail,
  riskFactorLabel,
  type RiskExplanation,
} from '../../src-preload/risk-explanation';
import { formatOffset } from './keys';

export function RiskFactors({
  risk,
  source,
  deviceRisk,
  offsetOf,
  onPick,
}: {
  risk: RiskExplanation | null;
  /** Who computed `risk`: the server decides; the device's score is advisory. */
  source?: 'server' | 'device' | null;
  /** The device's own score when the server's is shown (advisory). */
  deviceRisk?: RiskExplanation | null;
  /** Seconds into the session of a warning, or undefined when the list does not hold it. */
  offsetOf: (warningId: string) => number | undefined;
  onPick: (warningId: string) => void;
}) {
  return (
    <section className="panel" aria-labelledby="risk-title" data-testid="risk-factors">
      <h3 id="risk-title">Risk {risk ? `${Math.round(risk.score)} / 100` : 'not scored'}</h3>
      {risk && source && (
        <p className="muted" data-testid="risk-source">
          {source === 'server'
            ? 'Computed by the central server from the warnings it holds.'
            : 'Computed on the candidate’s device: advisory until the central server scores this session.'}
          {source === 'server' &&
            deviceRisk &&
            ` The device reported ${Math.round(deviceRisk.score)} (advisory).`}
        </p>
      )}
      {!risk ? (
        <p className="muted">This session has no risk score: it did not finish on the candidate's device.</p>
      ) : risk.factors.length === 0 ? (
        <p className="muted">No warning this exam weighs was raised, so the risk score is 0.</p>
      ) : (
        <>
          <ol className="risk-factors">
            {risk.factors.map((f) => {
              const at = offsetOf(f.warningId);
              return (
                <li key={f.warningId} data-testid="risk-factor">
                  <button type="button" className="link" onClick={() => onPick(f.warningId)}>
                    {at !== undefined && <span className="time">{formatOffset(at)}</span>}{' '}
                    {riskFactorLabel(f.type)}
                  </button>{' '}
                  — {riskFactorDetail(f)} <strong>{formatRiskPoints(f.points)}</strong>
                </li>
              );
            })}
          </ol>
          <p className="muted">
            {risk.chainFactor !== 1 && `Evidence chain factor ${risk.chainFactor}. `}
            {risk.formula}
          </p>
        </>
      )}
    </section>
  );
}
