import { useState, type FormEvent } from 'react';
import type { CallResponse } from '../../src-preload/contract';
import type { CandidateApi } from '../../src-preload/contract-windows';
import { ErrorText, Screen } from '../components/Screen';

type Overview = CallResponse<'candidateOverview'>;

export function EnrollScreen({
  api,
  onEnrolled,
  onCancel,
}: {
  api: CandidateApi;
  onEnrolled: (o: Overview) => void;
  /** Back to the exam list, when this device is already enrolled for an exam. */
  onCancel?: () => void;
}) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const result = await api.candidateEnroll({ code: code.trim() });
    setBusy(false);
    if (result.ok) onEnrolled(result.value);
    else setError(result.error.message);
  };
  return (
    <Screen title={onCancel ? 'Enroll another exam' : 'Enroll this device'} testId="screen-enroll">
      <p>
        Enter the enrollment code from your invitation. It can be used once, on one device.
        {onCancel && ' The exams already on this device stay as they are.'}
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor="enroll-code">Enrollment code</label>
        <input
          id="enroll-code"
          name="code"
          autoComplete="one-time-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          aria-describedby={error ? 'enroll-error' : undefined}
          required
          minLength={4}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Enroll'}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel} disabled={busy}>
            Back to my exams
          </button>
        )}
      </form>
      <div id="enroll-error">
        <ErrorText message={error} />
      </div>
    </Screen>
  );
}
