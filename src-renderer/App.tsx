import { useEffect, useState } from 'react';
import { resolveBridge, type BridgeState } from './bridge';
import { CandidateApp } from './candidate/CandidateApp';
import { StartScreen } from './candidate/StartScreen';

function useRoute(): string {
  const [route, setRoute] = useState(() => window.location.hash.replace(/^#/, ''));
  useEffect(() => {
    const onChange = () => setRoute(window.location.hash.replace(/^#/, ''));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function App() {
  const [bridge, setBridge] = useState<BridgeState | undefined>();
  const route = useRoute();
  useEffect(() => {
    void resolveBridge().then(setBridge);
  }, []);

  return (
    <main className="app">
      <header className="app-header">
        <h1>Vigil</h1>
        <nav aria-label="Vigil">
          <a href="#/">Exams</a> <a href="#/about">About Vigil</a>
        </nav>
      </header>
      {!bridge && <p role="status">Connecting to Vigil…</p>}
      {bridge?.status === 'failed' && (
        <p role="alert" className="error">
          {bridge.message}
        </p>
      )}
      {bridge?.status === 'ready' &&
        (route.startsWith('/about') ? <StartScreen api={bridge.api} /> : <CandidateApp api={bridge.api} />)}
    </main>
  );
}
