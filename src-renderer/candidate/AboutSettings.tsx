import { useEffect, useState } from 'react';
import type { CallResponse } from '../../src-preload/contract';
import type { AppApi } from '../../src-preload/contract-windows';

type SettingsView = CallResponse<'getSettings'>;
type Setting = SettingsView['settings'][number];

const sourceLabel: Record<Setting['source'], string> = {
  default: 'default',
  policy: 'IT policy',
  user: 'your setting',
  env: 'environment variable',
};

function shown(value: Setting['value']): string {
  if (value === null) return 'not set';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return String(value);
}

/**
 * The About screen's settings: each value with where it comes from. A value the IT policy sets is
 * marked "managed by your organisation" and shown read-only; main refuses to change it anyway.
 */
export function AboutSettings({ api }: { api: AppApi }) {
  const [view, setView] = useState<SettingsView | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [saved, setSaved] = useState<CallResponse<'saveDiagnostics'> | undefined>();
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    void api.getSettings({}).then((r) => (r.ok ? setView(r.value) : setError(r.error.message)));
  }, [api]);

  const change = async (key: string, value: string | null) => {
    setError(undefined);
    const result = await api.changeSetting({ key, value });
    if (result.ok) setView(result.value);
    else setError(result.error.message);
  };

  const saveDiagnostics = async () => {
    setSaving(true);
    setError(undefined);
    const result = await api.saveDiagnostics({});
    setSaving(false);
    if (result.ok) setSaved(result.value);
    else setError(result.error.message);
  };

  return (
    <section aria-labelledby="settings-title" className="panel">
      <h2 id="settings-title">Settings</h2>
      {view && view.settings.some((s) => s.managed) && (
        <p data-testid="policy-note">
          Some settings are managed by your organisation (IT policy {view.policy.file}
          {view.policy.serial !== null ? `, serial ${view.policy.serial}` : ''}).
        </p>
      )}
      {view && (
        <dl className="settings" aria-label="Settings">
          {view.settings.map((s) => (
            <div
              key={s.key}
              data-testid={`setting-${s.key}`}
              className={s.managed ? 'setting managed' : 'setting'}
            >
              <dt>
                <label htmlFor={`setting-input-${s.key}`}>{s.label}</label>
              </dt>
              <dd>
                {s.editable && s.choices ? (
                  <select
                    id={`setting-input-${s.key}`}
                    value={String(s.value)}
                    onChange={(e) => void change(s.key, e.target.value)}
                  >
                    {s.choices.map((choice) => (
                      <option key={choice} value={choice}>
                        {choice}
                      </option>
                    ))}
                  </select>
                ) : (
                  <output id={`setting-input-${s.key}`} aria-readonly="true">
                    {shown(s.value)}
                  </output>
                )}{' '}
                {s.managed ? (
                  <strong className="managed-badge" title={s.lockedReason ?? undefined}>
                    managed by your organisation
                  </strong>
                ) : (
                  <small>({sourceLabel[s.source]})</small>
                )}
                {s.lockedReason && !s.managed && <small> {s.lockedReason}</small>}
                {s.ignoredOverride && <small> Your own value ({s.ignoredOverride}) is not used.</small>}
              </dd>
            </div>
          ))}
        </dl>
      )}
      <h3>Help from IT</h3>
      <p>
        Saves one file with the diagnostics report, the app’s logs (passwords, tokens and codes removed), the
        IT policy in effect and the versions, for you to send to IT. It never holds your answers, recordings
        or camera pictures.
      </p>
      <button type="button" onClick={() => void saveDiagnostics()} disabled={saving}>
        {saving ? 'Saving…' : 'Save diagnostics'}
      </button>
      {saved && (
        <p role="status" data-testid="diagnostics-result">
          {saved.path
            ? `Diagnostics saved to ${saved.path}. Send this file to your IT support.`
            : 'Not saved: the save was cancelled.'}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
