import { useEffect, useState } from 'react';
import { AdminConsole } from './admin/AdminConsole';
import { resolveBridge, type BridgeState } from './bridge';
import { StartScreen } from './candidate/StartScreen';
import { ProctorConsole } from './proctor/ProctorConsole';
import './console.css';

type Route = 'start' | 'proctor' | 'admin';

/** Hash routes: `#/proctor` and `#/admin` open the consoles; anything else is the candidate start. */
function routeOf(hash: string): Route {
  if (hash.startsWith('#/proctor')) return 'proctor';
  if (hash.startsWith('#/admin')) return 'admin';
  return 'start';
}

export function App() {
  const [bridge, setBridge] = useState<BridgeState | undefined>();
  const [route, setRoute] = useState<Route>(() => routeOf(window.location.hash));
  useEffect(() => {
    void resolveBridge().then(setBridge);
    const onHash = () => setRoute(routeOf(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  return (
    <main className={route === 'start' ? 'app' : 'app app-console'}>
      <header className="app-header">
        <h1>Vigil{route === 'proctor' ? ' · Review' : route === 'admin' ? ' · Administration' : ''}</h1>
      </header>
      {!bridge && <p role="status">Connecting to Vigil…</p>}
      {bridge?.status === 'failed' && (
        <p role="alert" className="error">
          {bridge.message}
        </p>
      )}
      {bridge?.status === 'ready' && route === 'start' && <StartScreen api={bridge.api} />}
      {bridge?.status === 'ready' && route === 'proctor' && <ProctorConsole api={bridge.api} />}
      {bridge?.status === 'ready' && route === 'admin' && <AdminConsole api={bridge.api} />}
    </main>
  );
}
