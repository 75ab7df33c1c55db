import { useEffect, useState } from 'react';
import type { FinishProgress } from '../../src-preload/contract';
import type { CandidateApi } from '../../src-preload/contract-windows';
import { ErrorText, Screen } from '../components/Screen';

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function FinishScreen({
  api,
  sessionId,
  recordingError,
}: {
  api: CandidateApi;
  sessionId: string;
  recordingError: string | undefined;
}) {
  const [progress, setProgress] = useState<FinishProgress>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    void api
      .candidateFinish({
        sessionId,
        ...(recordingError ? { recordingError: recordingError.slice(0, 2000) } : {}),
      })
      .then((r) => {
        if (!r.ok) return setError(r.error.message);
        setProgress(r.value);
        timer = setInterval(() => {
          void api.candidateFinishProgress({ sessionId }).then((p) => p.ok && setProgress(p.value));
        }, 1000);
      });
    return () => clearInterval(timer);
  }, [api, sessionId, recordingError]);

  return (
    <Screen title="Thank you — you are done" testId="screen-finish">
      <p>Your answers and recording are saved on this computer.</p>
      {progress && (
        <>
          <ul className="checks" aria-label="What happens now">
            {progress.items.map((item) => (
              <li key={item.id} className={`check ${item.state}`} data-testid={`finish-${item.id}`}>
                <strong>{item.label}</strong>: {item.detail}
              </li>
            ))}
          </ul>
          <p data-testid="upload-progress">
            {progress.upload.pendingItems === 0
              ? 'Everything has been sent.'
              : `${progress.upload.pendingItems} items (${formatBytes(progress.upload.pendingBytes)}) waiting to be sent.`}
          </p>
          {progress.upload.heldReason && (
            <p role="status" className="notice" data-testid="upload-held">
              {progress.upload.heldReason}
            </p>
          )}
          {progress.receipt && (
            <div className="receipt" data-testid="receipt">
              <h3>Your receipt</h3>
              <p>
                Session <code>{progress.receipt.sessionId}</code>
              </p>
              <p>
                Evidence fingerprint <code>{progress.receipt.chainHash}</code> ({progress.receipt.events}{' '}
                events)
              </p>
            </div>
          )}
          {progress.canClose && (
            <p role="status">
              You can close Vigil now. Anything still waiting is sent the next time it starts.
            </p>
          )}
        </>
      )}
      <ErrorText message={error} />
    </Screen>
  );
}
