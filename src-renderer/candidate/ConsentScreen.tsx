import { useState } from 'react';
import type { CandidateExam } from '../../src-preload/contract';
import { ErrorText, Screen } from '../components/Screen';

/** What consenting can answer: nothing (it started), or why not and whether a start code would do. */
export type ConsentOutcome = { message: string; needsStartCode: boolean } | undefined;

export function ConsentScreen({
  exam,
  online,
  onAccept,
  onCancel,
}: {
  exam: CandidateExam;
  online: boolean;
  onAccept: (startCode?: string) => Promise<ConsentOutcome>;
  onCancel: () => void;
}) {
  const [agreed, setAgreed] = useState(false);
  const [error, setError] = useState<string>();
  // Offline, an exam that may start offline opens with the code the proctor hands out in the room.
  const [askCode, setAskCode] = useState(exam.offlineStart && !online);
  const [startCode, setStartCode] = useState('');
  const leaves =
    exam.uploadMode === 'full'
      ? 'your answers, the warnings with their snapshots, your ID check and the full video recording'
      : 'your answers, the warnings with their snapshots, your ID check and short clips around each warning (the full video stays on this device)';
  return (
    <Screen title="Before you begin" testId="screen-consent">
      <h3>What is recorded</h3>
      <p>Your camera and microphone are recorded from the start of the exam until you finish.</p>
      <h3>What is analysed on this device</h3>
      <p>
        Vigil checks camera frames on this computer for things a proctor may need to look at: no face, more
        than one face, looking away for a long time, a covered camera, speech, and other apps or screens. No
        frame is sent anywhere for this analysis. A warning is never decided by the software alone: a person
        reviews it.
      </p>
      <h3>What leaves this device</h3>
      <p>When you finish, Vigil sends {leaves} to your institution&apos;s server.</p>
      <h3>How long it is kept</h3>
      <p>Your institution keeps this data for {exam.retentionDays} days, then it is deleted.</p>
      <h3>Your rights</h3>
      <p>
        You can ask your institution for a copy of your data or for its deletion. If you do not agree, do not
        continue: nothing has been recorded yet.
      </p>
      <div className="checkbox">
        <input id="consent" type="checkbox" checked={agreed} onChange={(e) => setAgreed(e.target.checked)} />
        <label htmlFor="consent">I have read this and agree to be recorded and analysed for this exam.</label>
      </div>
      {askCode && (
        <div className="field">
          <label htmlFor="start-code">Start code (your proctor gives it out in the room)</label>
          <input
            id="start-code"
            autoComplete="off"
            value={startCode}
            onChange={(e) => setStartCode(e.target.value)}
          />
        </div>
      )}
      <div className="actions">
        <button
          type="button"
          disabled={!agreed || (askCode && startCode.trim() === '')}
          onClick={() =>
            void onAccept(askCode ? startCode : undefined).then((outcome) => {
              setError(outcome?.message);
              if (outcome?.needsStartCode) setAskCode(true);
            })
          }
        >
          I agree, continue
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Not now
        </button>
      </div>
      <ErrorText message={error} />
    </Screen>
  );
}
