// What the candidate's device tried to change after the session finished or was decided, and the
// server refused (central 0432): shown only when there is something, since a tampering attempt is
// itself evidence a proctor should weigh.
import type { CallResponse } from '../../src-preload/contract';

type Refused = CallResponse<'reviewLoad'>['refusedDeviceWrites'];

export function RefusedWritesPanel({ refused }: { refused: Refused }) {
  if (refused.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="refused-title">
      <h3 id="refused-title">Refused device writes ({refused.length})</h3>
      <p className="muted">
        The candidate&apos;s device sent these after the session was finished or decided; the server kept the
        session as it was.
      </p>
      <ol data-testid="refused-writes">
        {refused.map((r, i) => (
          <li key={`${r.at}-${i}`}>
            {new Date(r.at).toLocaleString()} · {r.kind} · {r.reason}
          </li>
        ))}
      </ol>
    </section>
  );
}
