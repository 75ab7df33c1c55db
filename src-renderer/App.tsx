import { useEffect, useState } from 'react';
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

export function App() {
  const [bridge, setBridge] = useState<BridgeState | undefined>();
  const [route, setRoute] = useState<Route>(() => routeOf(window.location.hash));
  useEffect(() => {
    void resolveBridge().then(setBridge);
    const onHash = () => setRoute(routeOf(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const consoleRoute = route === 'proctor' || route === 'admin';
  return (
    <main className={consoleRoute ? 'app app-console' : 'app'}>
      <header className="app-header">
        <h1>Vigil{titles[route]}</h1>
        {!consoleRoute && (
          <nav aria-label="Vigil">
            <a href="#/">Exams</a> <a href="#/about">About Vigil</a>
          </nav>
        )}
      </header>
      {!bridge && <p role="status">Connecting to Vigil…</p>}
      {bridge?.status === 'failed' && (
        <p role="alert" className="error">
          {bridge.message}
        </p>
      )}
      {bridge?.status === 'ready' && route === 'candidate' && <CandidateApp api={bridge.api} />}
      {bridge?.status === 'ready' && route === 'about' && <StartScreen api={bridge.api} />}
      {bridge?.status === 'ready' && route === 'proctor' && <ProctorConsole api={bridge.api} />}
      {bridge?.status === 'ready' && route === 'admin' && <AdminConsole api={bridge.api} />}
    </main>
  );
}
