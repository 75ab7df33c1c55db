// The controls of a spoken answer: record, stop, record again, with how long the answer is and a
// player to listen to it. Every control is a labelled button; state changes are announced once
// (the running length is visible but not read out every second).
import type { SpokenAnswer } from './useSpokenAnswer';

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

export function SpokenAnswerPanel({ spoken, disabled }: { spoken: SpokenAnswer; disabled: boolean }) {
  const announcement =
    spoken.phase === 'recording'
      ? 'Recording your answer.'
      : spoken.phase === 'recorded'
        ? `Answer recorded, ${formatDuration(spoken.elapsedMs)} long. Submit it or record it again.`
        : '';
  return (
    <fieldset className="spoken-answer" data-testid="spoken-answer">
      <legend>Spoken answer</legend>
      <p className="hint" id="spoken-hint">
        Answer this question out loud. You can stop and record again until the time is up; at the time limit,
        what you have recorded is submitted.
      </p>
      <p role="status" className="visually-hidden">
        {announcement}
      </p>
      {spoken.phase === 'recording' && (
        <p className="recording-indicator" data-testid="spoken-status">
          <span aria-hidden="true" className="recording-dot" /> Recording: {formatDuration(spoken.elapsedMs)}
        </p>
      )}
      {spoken.phase === 'recorded' && (
        <p data-testid="spoken-status">Recorded answer: {formatDuration(spoken.elapsedMs)}</p>
      )}
      {spoken.phase === 'idle' && <p data-testid="spoken-status">Not recorded yet.</p>}
      <div className="actions">
        {/* One button that changes with the state, so keyboard focus stays on it. */}
        <button
          type="button"
          className={spoken.phase === 'recorded' ? 'secondary' : undefined}
          onClick={
            spoken.phase === 'recording'
              ? () => void spoken.stop()
              : spoken.phase === 'recorded'
                ? spoken.redo
                : spoken.start
          }
          disabled={disabled}
          aria-describedby="spoken-hint"
        >
          {spoken.phase === 'recording'
            ? 'Stop recording'
            : spoken.phase === 'recorded'
              ? 'Record again'
              : 'Start recording'}
        </button>
      </div>
      {spoken.error && (
        <p role="alert" className="error">
          {spoken.error}
        </p>
      )}
    </fieldset>
  );
}
