// The settings the candidate sees in About, each with where its value comes from, and the one way
// to change them (the user layer, settings.json in the data folder). A key the IT policy sets is
// managed by the organisation: it is shown as such and main refuses to change it, whatever the
// renderer asks, just as loadConfig ignores a user or environment value for it. A key set by an
// environment variable cannot be changed here either: the variable would win over settings.json.
import fs from 'node:fs';
import path from 'node:path';
import { VigilError } from '../errors';
import type { ConfigSource, LoadedConfig } from './load';
import { leafByKey, secretKeys } from './schema';

/** Keys the candidate may change in About: harmless to an exam's outcome, useful for support. */
export const candidateEditableKeys = ['log.level', 'report.pageSize'] as const;
export type CandidateEditableKey = (typeof candidateEditableKeys)[number];

/** What About lists: the editable keys, then what explains how this computer is set up. */
const shownKeys: readonly { key: string; label: string }[] = [
  { key: 'log.level', label: 'Log detail' },
  { key: 'report.pageSize', label: 'Report page size' },
  { key: 'data.dir', label: 'Data folder' },
  { key: 'central.url', label: 'Central server' },
  { key: 'proctoring.frameRate', label: 'Analysed frames per second' },
  { key: 'update.enabled', label: 'Automatic updates' },
  { key: 'update.channel', label: 'Update channel' },
  { key: 'security.requireSignedPolicy', label: 'Signed IT policy required' },
  { key: 'security.requireKeychain', label: 'Device token only in the OS keychain' },
];

export const MANAGED_LABEL = 'managed by your organisation';

export interface SettingView {
  key: string;
  label: string;
  /** The value in effect; a secret shows only whether it is set. */
  value: string | number | boolean | null;
  source: ConfigSource;
  /** Set by the IT policy: shown as managed by the organisation, and cannot be changed here. */
  managed: boolean;
  /** Whether the candidate can change it here now (editable key, not managed, not set by environment). */
  editable: boolean;
  /** Why it cannot be changed here, in the candidate's words (managed, or the environment variable). */
  lockedReason: string | null;
  /** The choices of an editable key. */
  choices: string[] | null;
  /** A value in settings.json (or the environment) that the IT policy overrides. */
  ignoredOverride: string | null;
}

function valueOf(loaded: LoadedConfig, key: string): unknown {
  const [section, name] = key.split('.') as [string, string];
  return (loaded.config as unknown as Record<string, Record<string, unknown>>)[section]?.[name];
}

function displayValue(key: string, raw: unknown): SettingView['value'] {
  if (secretKeys.has(key)) return raw === undefined ? null : '(set)';
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return raw;
  return JSON.stringify(raw);
}

function choicesOf(key: string): string[] | null {
  const schema = leafByKey.get(key)?.schema as { options?: unknown; def?: { innerType?: unknown } };
  // z.enum(...).default(...) wraps the enum; the enum's options are its choices.
  const inner = (schema?.def?.innerType ?? schema) as { options?: unknown };
  return Array.isArray(inner?.options) ? (inner.options as string[]) : null;
}

function lockedReasonOf(loaded: LoadedConfig, key: string): string | null {
  if (loaded.lockedKeys.includes(key))
    return `This setting is ${MANAGED_LABEL}'s IT policy (${loaded.files.policy}); it cannot be changed on this computer. Ask your IT support if it needs to be different.`;
  if (loaded.sources[key] === 'env')
    return `This setting comes from the environment variable ${leafByKey.get(key)?.envVar} on this computer, which wins over settings made here; remove that variable to change it here.`;
  return null;
}

/** Every setting About shows, marked with its source and whether the organisation manages it. */
export function describeSettings(loaded: LoadedConfig): SettingView[] {
  return shownKeys.map(({ key, label }) => {
    const editableKey = (candidateEditableKeys as readonly string[]).includes(key);
    const lockedReason = lockedReasonOf(loaded, key);
    const managed = loaded.lockedKeys.includes(key);
    const ignored = loaded.ignoredOverrides.filter((o) => o.key === key).map((o) => o.source);
    return {
      key,
      label,
      value: displayValue(key, valueOf(loaded, key)),
      source: loaded.sources[key] ?? 'default',
      managed,
      editable: editableKey && lockedReason === null,
      // Why the environment's value cannot be changed here matters only for what could be.
      lockedReason: managed || editableKey ? lockedReason : null,
      choices: editableKey ? choicesOf(key) : null,
      ignoredOverride: ignored.length > 0 ? ignored.join(', ') : null,
    };
  });
}

/**
 * Writes one setting to the user layer (settings.json), or removes it (value null: back to the
 * default), and applies it to the running configuration. Refuses a key the IT policy manages
 * (MANAGED), one an environment variable sets (CONFLICT) and any key not offered to the candidate.
 */
export function changeUserSetting(
  loaded: LoadedConfig,
  key: string,
  value: string | number | boolean | null,
): void {
  if (loaded.lockedKeys.includes(key))
    throw new VigilError('MANAGED', lockedReasonOf(loaded, key) ?? MANAGED_LABEL, {
      key,
      source: 'policy',
      policyFile: loaded.files.policy,
    });
  if (!(candidateEditableKeys as readonly string[]).includes(key))
    throw new VigilError(
      'BAD_REQUEST',
      `"${key}" cannot be changed from the app; IT sets it in the policy file or settings.json.`,
      { key, editable: [...candidateEditableKeys] },
    );
  if (loaded.sources[key] === 'env')
    throw new VigilError('CONFLICT', lockedReasonOf(loaded, key) ?? 'set by the environment', {
      key,
      envVar: leafByKey.get(key)?.envVar,
    });
  const leaf = leafByKey.get(key);
  if (!leaf) throw new VigilError('BAD_REQUEST', `"${key}" is not a Vigil setting.`, { key });
  const [section, name] = key.split('.') as [string, string];
  const parsed = value === null ? leaf.schema.safeParse(undefined) : leaf.schema.safeParse(value);
  if (!parsed.success)
    throw new VigilError('BAD_REQUEST', `"${key}" ${parsed.error.issues.map((i) => i.message).join('; ')}.`, {
      key,
      choices: choicesOf(key),
    });

  const file = loaded.files.user;
  const current = readSettingsObject(file);
  const sectionObject = { ...(current[section] as Record<string, unknown> | undefined) };
  if (value === null) delete sectionObject[name];
  else sectionObject[name] = parsed.data;
  if (Object.keys(sectionObject).length > 0) current[section] = sectionObject;
  else delete current[section];
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Write then rename: a crash mid-write must not leave a half file that would block every exam.
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(current, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(temp, file);

  // The running app reads these through `loaded` when it needs them (the report's page size, the
  // logger's level is set by the caller), so the change applies without a restart.
  (loaded.config as unknown as Record<string, Record<string, unknown>>)[section]![name] = parsed.data;
  loaded.sources[key] = value === null ? 'default' : 'user';
}

function readSettingsObject(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new VigilError(
      'CONFIG_INVALID',
      `${file} is not valid JSON, so Vigil does not change it; fix or delete the file first.`,
      { file },
    );
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new VigilError('CONFIG_INVALID', `${file} must contain a JSON object; fix or delete it first.`, {
      file,
    });
  return parsed as Record<string, unknown>;
}
