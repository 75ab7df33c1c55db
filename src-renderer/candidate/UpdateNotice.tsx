// The app update as the candidate sees it, outside exams only: the download's progress, "Restart to
// update" once main says it may be offered (an update is ready and no exam is in progress), and what
// went wrong when an update failed or was refused (the installed version keeps working). Main
// decides; this only shows the `updateStatus` it pushes and asks for the restart.
import { useCallback, useEffect, useState } from 'react';
import type { UpdateStatus } from '../../src-preload/contract';
import type { CandidateApi } from '../../src-preload/contract-windows';

export interface UpdateControls {
  status: UpdateStatus | undefined;
  /** Why the restart was refused, if it was. */
  restartError: string | undefined;
  restart: () => void;
  checkAgain: () => void;
}

/** The update state from main: asked once (which also starts work an exam deferred), then pushed. */
export function useUpdateStatus(api: CandidateApi): UpdateControls {
  const [status, setStatus] = useState<UpdateStatus>();
  const [restartError, setRestartError] = useState<string>();
  useEffect(() => {
    const off = api.on('updateStatus', setStatus);
    void api.candidateUpdateStatus({}).then((r) => r.ok && setStatus(r.value));
    return off;
  }, [api]);
  const restart = useCallback(() => {
    setRestartError(undefined);
    void api.candidateRestartToUpdate({}).then((r) => !r.ok && setRestartError(r.error.message));
  }, [api]);
  const checkAgain = useCallback(() => {
    void api.candidateUpdateStatus({ checkNow: true }).then((r) => r.ok && setStatus(r.value));
  }, [api]);
  return { status, restartError, restart, checkAgain };
}

export function RestartToUpdateButton({ controls }: { controls: UpdateControls }) {
  if (!controls.status?.canRestart) return null;
  return (
    <button type="button" onClick={controls.restart}>
      Restart to update
    </button>
  );
}

export function UpdateNotice({ controls }: { controls: UpdateControls }) {
  const { status, restartError } = controls;
  if (!status || status.examInProgress) return null;
  const version = status.version ? `Vigil ${status.version}` : 'The update';
  switch (status.state) {
    case 'available':
    case 'downloading': {
      const percent = status.percent ?? 0;
      return (
        <div className="update-notice" data-testid="update-notice">
          <p id="update-progress-label">
            Downloading {version} in the background: you can keep using Vigil {status.currentVersion}.
          </p>
          <div
            className="progress"
            role="progressbar"
            aria-labelledby="update-progress-label"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            aria-valuetext={`${percent} percent`}
          >
            <div className="progress-bar" style={{ width: `${percent}%` }} />
          </div>
        </div>
      );
    }
    case 'ready':
      return (
        <div className="update-notice" data-testid="update-notice" role="status">
          <p>
            {version} is downloaded. Restart Vigil to install it; your exams and answers on this device are
            kept.
          </p>
          <RestartToUpdateButton controls={controls} />
          {restartError && (
            <p role="alert" className="error">
              {restartError}
            </p>
          )}
        </div>
      );
    case 'error':
      return (
        <div className="update-notice" data-testid="update-notice">
          <p role="alert" className="error">
            {status.error?.message}
          </p>
          <button type="button" className="secondary" onClick={controls.checkAgain}>
            Check for updates again
          </button>
        </div>
      );
    default:
      return null;
  }
}
