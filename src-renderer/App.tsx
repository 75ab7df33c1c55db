import { useEffect, useState } from 'react';
import { windowOfRoute, type WindowKind } from '../src-preload/contract-windows';
import { AdminConsole } from './admin/AdminConsole';
import { resolveBridge, type BridgeState } from './bridge';
import { CandidateApp } from './candidate/CandidateApp';
import { StartScreen } from './candidate/StartScreen';
import { ProctorConsole } from './proctor/ProctorConsole';
import './console.css';

type Route = 'candidate' | 'about' | 'proctor' | 'admin';

/** Hash routes: `#/proctor` and `#/admin` open the consoles, `#/about` the app info; else the candidate. */
function routeOf(hash: string): Route {
  if (hash.startsWith('#/proctor')) return 'proctor';
  if (hash.startsWith('#/admin')) return 'admin';
  if (hash.startsWith('#/about')) return 'about';
  return 'candidate';
}

const titles: Record<Route, string> = {
  candidate: '',
  about: '',
  proctor: ' · Review',
  admin: ' · Administration',
};

/**
 * The page is one window, candidate or console, and has only that window's calls. `#/about` is
 * app-wide and stays in the current window; a route of the other window reconnects the browser
 * host as that window (the Electron shell opens a separate window for it instead).
 */
export function App() {
  const [route, setRoute] = useState<Route>(() => routeOf(window.location.hash));
  const [kind, setKind] = useState<WindowKind>(() => windowOfRoute(window.location.hash) ?? 'candidate');
  const [bridge, setBridge] = useState<BridgeState | undefined>();
  useEffect(() => {
    const onHash = () => {
      setRoute(routeOf(window.location.hash));
      setKind((current) => windowOfRoute(window.location.hash) ?? current);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    let current = true;
    void resolveBridge(kind).then((state) => current && setBridge(state));
    return () => {
      current = false;
    };
  }, [kind]);

  const state = bridge?.window === kind ? bridge : undefined;
  const api = state?.status === 'ready' ? state.api : undefined;
  return (
    <main className={kind === 'console' ? 'app app-console' : 'app'}>
      <header className="app-header">
        <h1>Vigil{titles[route]}</h1>
        {kind === 'candidate' ? (
          <nav aria-label="Vigil">
            <a href="#/">Exams</a> <a href="#/about">About Vigil</a>
          </nav>
        ) : (
          <nav aria-label="Vigil">
            <a href="#/proctor">Review</a> <a href="#/admin">Administration</a>{' '}
            <a href="#/about">About Vigil</a>
          </nav>
        )}
      </header>
      {!state && <p role="status">Connecting to Vigil…</p>}
      {state?.status === 'failed' && (
        <p role="alert" className="error">
          {state.message}
        </p>
      )}
      {api && route === 'about' && <StartScreen api={api} />}
      {api?.window === 'candidate' && route === 'candidate' && <CandidateApp api={api} />}
      {api?.window === 'console' && route === 'proctor' && <ProctorConsole api={api} />}
      {api?.window === 'console' && route === 'admin' && <AdminConsole api={api} />}
    </main>
  );
}
