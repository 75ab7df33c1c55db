// Layered configuration: defaults < IT policy file < user settings < environment.
// Keys set by the IT policy are locked: later layers cannot change them. Every layer is validated
// key by key; a problem is reported with the file (or variable), the key and what is wrong, the bad
// value is not used, and the app refuses to start an exam until it is fixed.
import fs from 'node:fs';
import path from 'node:path';
import { configLeaves, configSchema, leafByKey, type VigilConfig } from './schema';
import { platformPaths } from './paths';

export type ConfigSource = 'default' | 'policy' | 'user' | 'env';

export interface ConfigIssue {
  source: string;
  key: string;
  problem: string;
}

export interface LoadedConfig {
  config: VigilConfig;
  dataDir: string;
  issues: ConfigIssue[];
  lockedKeys: string[];
  sources: Record<string, ConfigSource>;
  /** Overrides of locked keys that were refused, so the UI can say the value is managed. */
  ignoredOverrides: { key: string; source: string }[];
  files: { policy: string; user: string };
}

export interface LoadConfigOptions {
  policyFile?: string;
  userFile?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
  /** Fake filesystem root for machine-wide paths (tests). */
  root?: string;
}

const META_KEYS = new Set(['$schema']);
const sectionNames = new Set(configLeaves.map((leaf) => leaf.key.split('.')[0]));

function readLayerFile(file: string, issues: ConfigIssue[]): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    issues.push({ source: file, key: '(file)', problem: `cannot be read: ${(error as Error).message}` });
    return {};
  }
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    issues.push({ source: file, key: '(file)', problem: `is not valid JSON: ${(error as Error).message}` });
    return {};
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    issues.push({ source: file, key: '(file)', problem: 'must contain a JSON object' });
    return {};
  }
  return parsed as Record<string, unknown>;
}

/** Flattens a layer into validated leaf values, reporting unknown keys and bad values. */
function validateLayer(
  raw: Record<string, unknown>,
  source: string,
  issues: ConfigIssue[],
): Map<string, unknown> {
  const values = new Map<string, unknown>();
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [name, value] of Object.entries(node)) {
      if (!prefix && META_KEYS.has(name)) continue;
      const key = prefix ? `${prefix}.${name}` : name;
      const leaf = leafByKey.get(key);
      if (leaf) {
        const result = leaf.schema.safeParse(value);
        if (result.success) values.set(key, result.data);
        else issues.push({ source, key, problem: result.error.issues.map((i) => i.message).join('; ') });
      } else if (!prefix && sectionNames.has(name)) {
        if (value && typeof value === 'object' && !Array.isArray(value))
          walk(value as Record<string, unknown>, key);
        else issues.push({ source, key, problem: 'must be an object' });
      } else {
        issues.push({ source, key, problem: 'is not a Vigil setting' });
      }
    }
  };
  walk(raw, '');
  return values;
}

function envLayer(env: NodeJS.ProcessEnv, issues: ConfigIssue[]): Map<string, unknown> {
  const values = new Map<string, unknown>();
  for (const leaf of configLeaves) {
    const raw = env[leaf.envVar];
    if (raw === undefined || raw === '') continue;
    let result = leaf.schema.safeParse(raw);
    if (!result.success) {
      try {
        result = leaf.schema.safeParse(JSON.parse(raw));
      } catch {
        // keep the first (string) failure
      }
    }
    if (result.success) values.set(leaf.key, result.data);
    else
      issues.push({
        source: `environment variable ${leaf.envVar}`,
        key: leaf.key,
        problem: result.error.issues.map((i) => i.message).join('; '),
      });
  }
  return values;
}

function nest(flat: Map<string, unknown>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const name of sectionNames) if (name) out[name] = {};
  for (const [key, value] of flat) {
    const [section, name] = key.split('.') as [string, string];
    (out[section] ??= {})[name] = value;
  }
  return out;
}

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const defaults = platformPaths(options.platform, env, options.home, options.root);
  const policyFile = options.policyFile ?? env.VIGIL_POLICY_FILE ?? defaults.policyFile;
  const issues: ConfigIssue[] = [];
  const merged = new Map<string, unknown>();
  const sources: Record<string, ConfigSource> = {};
  const ignoredOverrides: { key: string; source: string }[] = [];

  for (const leaf of configLeaves) {
    const fallback = leaf.schema.safeParse(undefined);
    if (fallback.success && fallback.data !== undefined) merged.set(leaf.key, fallback.data);
    sources[leaf.key] = 'default';
  }

  const policy = validateLayer(readLayerFile(policyFile, issues), policyFile, issues);
  for (const [key, value] of policy) {
    merged.set(key, value);
    sources[key] = 'policy';
  }
  const lockedKeys = [...policy.keys()].sort();
  const envValues = envLayer(env, issues);

  // The user settings file lives in the data folder, which only policy, environment or default decide.
  const dataDir = (policy.get('data.dir') ?? envValues.get('data.dir') ?? defaults.dataDir) as string;
  const userFile = options.userFile ?? path.join(dataDir, 'settings.json');
  const user = validateLayer(readLayerFile(userFile, issues), userFile, issues);

  for (const [layer, values, label] of [
    ['user', user, userFile],
    ['env', envValues, 'environment'],
  ] as const) {
    for (const [key, value] of values) {
      if (policy.has(key)) {
        ignoredOverrides.push({ key, source: label });
        continue;
      }
      merged.set(key, value);
      sources[key] = layer;
    }
  }

  const config = configSchema.parse(nest(merged));
  return {
    config,
    dataDir: config.data.dir ?? dataDir,
    issues,
    lockedKeys,
    sources,
    ignoredOverrides,
    files: { policy: policyFile, user: userFile },
  };
}

export function describeIssue(issue: ConfigIssue): string {
  return `${issue.source}: "${issue.key}" ${issue.problem}`;
}
