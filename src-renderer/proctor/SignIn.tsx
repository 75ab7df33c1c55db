// Console sign-in with the proctor's or admin's own database login: the app never holds a shared
// privileged password; what the console shows is what PostgreSQL's row-level security allows.
import { useState, type FormEvent } from 'react';
import type { CallResponse } from '../../src-preload/contract';
import type { ConsoleApi } from '../../src-preload/contract-windows';

export type Reviewer = NonNullable<CallResponse<'consoleWhoAmI'>>;

export function SignIn({
  api,
  title,
  onSignedIn,
}: {
  api: ConsoleApi;
  title: string;
  onSignedIn: (r: Reviewer) => void;
}) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const result = await api.consoleSignIn({ user, password });
    setBusy(false);
    if (result.ok) onSignedIn(result.value);
    else setError(result.error.message);
  };

  return (
    <section className="panel" aria-labelledby="signin-title">
      <h2 id="signin-title">{title}</h2>
      <p>Sign in with your own database login. You will see only the exams assigned to you.</p>
      <form onSubmit={(e) => void submit(e)} className="form-grid">
        <label htmlFor="signin-user">Login</label>
        <input
          id="signin-user"
          autoComplete="username"
          value={user}
          onChange={(e) => setUser(e.target.value)}
          required
        />
        <label htmlFor="signin-password">Password</label>
        <input
          id="signin-password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
        <div />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
