import { useEffect, useState } from 'react';
import { resolveBridge, type BridgeState } from './bridge';
import { StartScreen } from './candidate/StartScreen';

export function App() {
  const [bridge, setBridge] = useState<BridgeState | undefined>();
  useEffect(() => {
    void resolveBridge().then(setBridge);
  }, []);

  return (
    <main className="app">
      <header className="app-header">
        <h1>Vigil</h1>
      </header>
      {!bridge && <p role="status">Connecting to Vigil…</p>}
      {bridge?.status === 'failed' && (
        <p role="alert" className="error">
          {bridge.message}
        </p>
      )}
      {bridge?.status === 'ready' && <StartScreen api={bridge.api} />}
    </main>
  );
}
