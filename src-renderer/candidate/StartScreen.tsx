import { useEffect, useState } from 'react';
import type { AppInfo, CallResponse } from '../../src-preload/contract';
import type { AppApi } from '../../src-preload/contract-windows';
import { AboutSettings } from './AboutSettings';

type Readiness = CallResponse<'checkExamReadiness'>;

export function StartScreen({ api }: { api: AppApi }) {
  const [info, setInfo] = useState<AppInfo | undefined>();
  const [readiness, setReadiness] = useState<Readiness | undefined>();
  const [check, setCheck] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [doctor, setDoctor] = useState<CallResponse<'runDoctor'> | undefined>();
  const [diagnosing, setDiagnosing] = useState(false);

  useEffect(() => {
    void api.getAppInfo({}).then((r) => (r.ok ? setInfo(r.value) : setError(r.error.message)));
    void api.checkExamReadiness({}).then((r) => (r.ok ? setReadiness(r.value) : setError(r.error.message)));
  }, [api]);

  const checkConnection = async () => {
    const started = performance.now();
    const result = await api.ping({ nonce: crypto.randomUUID() });
    setCheck(
      result.ok
        ? `Connected: Vigil answered in ${Math.max(1, Math.round(performance.now() - started))} ms.`
        : `Not connected: ${result.error.message}`,
    );
  };

  const runDiagnostics = async () => {
    setDiagnosing(true);
    const result = await api.runDoctor({});
    setDiagnosing(false);
    if (result.ok) setDoctor(result.value);
    else setError(result.error.message);
  };

  return (
    <>
      <section aria-labelledby="start-title" className="panel">
        <h2 id="start-title">Welcome</h2>
        {info && (
          <p data-testid="app-info">
            Vigil {info.version} · {info.mode === 'host' ? 'browser mode' : 'desktop app'} · {info.platform}
          </p>
        )}
        {readiness && !readiness.ready && (
          <div role="alert" className="error">
            <p>Vigil cannot start an exam until this is fixed:</p>
            <ul>
              {readiness.blockers.map((b) => (
                <li key={b.message}>{b.message}</li>
              ))}
            </ul>
          </div>
        )}
        <button type="button" onClick={() => void checkConnection()}>
          Check connection
        </button>
        {check && (
          <p role="status" data-testid="connection-result">
            {check}
          </p>
        )}
        <button type="button" onClick={() => void runDiagnostics()} disabled={diagnosing}>
          {diagnosing ? 'Checking…' : 'Run diagnostics'}
        </button>
        {doctor && (
          <div data-testid="doctor-report">
            <p role="status">
              {doctor.ok ? 'Everything Vigil needs is in place.' : 'Something needs attention (see below).'}
            </p>
            <ul className="checks" aria-label="Diagnostics">
              {doctor.checks.map((c) => (
                <li key={c.id} className={`check ${c.status === 'ok' ? 'pass' : c.status}`}>
                  <strong>{c.title}</strong>: {c.summary}
                </li>
              ))}
            </ul>
          </div>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </section>
      <AboutSettings api={api} />
    </>
  );
}
