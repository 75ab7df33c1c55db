// The proctor console (`#/proctor`): sign in with your own database login, then queue → session.
import { useEffect, useState } from 'react';
import type { ConsoleApi } from '../../src-preload/contract-windows';
import { Queue } from './Queue';
import { SessionReview } from './SessionReview';
import { SignIn, type Reviewer } from './SignIn';

export function ProctorConsole({ api }: { api: ConsoleApi }) {
  const [reviewer, setReviewer] = useState<Reviewer | null | undefined>();
  const [sessionId, setSessionId] = useState<string | undefined>();

  useEffect(() => {
    void api.consoleWhoAmI({}).then((r) => setReviewer(r.ok ? r.value : null));
  }, [api]);

  if (reviewer === undefined) return <p role="status">Checking sign-in…</p>;
  if (!reviewer) return <SignIn api={api} title="Proctor sign-in" onSignedIn={setReviewer} />;
  return (
    <>
      <p className="signed-in">
        Signed in as <strong>{reviewer.name || reviewer.pgRole}</strong> ({reviewer.role}){' '}
        <button
          type="button"
          className="link"
          onClick={() => void api.consoleSignOut({}).then(() => setReviewer(null))}
        >
          Sign out
        </button>
      </p>
      {sessionId ? (
        <SessionReview
          key={sessionId}
          api={api}
          sessionId={sessionId}
          onBack={() => setSessionId(undefined)}
        />
      ) : (
        <Queue api={api} onOpen={setSessionId} />
      )}
    </>
  );
}
