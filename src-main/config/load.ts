// Layered configuration: defaults < IT policy file < user settings < environment.
// Keys set by the IT policy are locked: later layers cannot change them. Every layer is validated
// key by key; a problem is reported with the file (or variable), the key and what is wrong, the bad
// value is not used, and the app refuses to start an exam until it is fixed. A policy may carry an
// Ed25519 signature (policy-signature.ts); an altered policy, or an unsigned or missing one when
// signatures are required, is refused as a whole, and so is a signed one that has expired or is older
// than the newest this device applied. Where the policy is read from is not the candidate's to
// choose (policy-location.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  defaultTrustFile,
  lastSeenPolicySerial,
  readPolicyStamp,
  readPolicyTrust,
  recordSeenPolicySerial,
  signatureFileFor,
  verifyPolicySignature,
  type PolicyStamp,
  type PolicyTrust,
  type SignatureStatus,
} from './policy-signature';
import {
  detectBuildKind,
  protectedPolicyFile,
  requestedPolicyOverride,
  type BuildKind,
} from './policy-location';
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
  policy: PolicyState;
}

export interface PolicyState {
  file: string;
  signatureFile: string;
  signature: SignatureStatus;
  /** Id of the trusted key that signed the policy. */
  keyId?: string;
  /** Whether this installation requires a signed policy (trust file, environment or the policy). */
  signatureRequired: boolean;
  /**
   * True when the policy was not applied because of its signature or stamp (altered, unsigned or
   * missing where required, expired, older than one seen), and exams are refused.
   */
  refused: boolean;
  /** The serial and expiry of a signed policy that was applied. */
  stamp?: PolicyStamp;
}

export interface LoadConfigOptions {
  policyFile?: string;
  userFile?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
  /** Fake filesystem root for machine-wide paths (tests). */
  root?: string;
  /** Trusted policy keys and signature requirement; default: resources/policy-trust.json. */
  trust?: PolicyTrust;
  /**
   * Whether this is a development build, where the environment may move the policy file; default:
   * detected (policy-location.ts). The Electron shell passes `app.isPackaged`.
   */
  buildKind?: BuildKind;
  /** The clock a signed policy's expiry is checked against (tests). */
  now?: Date;
  /** Where the newest applied policy serial is kept; default: policy-seen.json in the default data folder. */
  seenPolicyFile?: string;
}

const REQUIRE_SIGNED_KEY = 'security.requireSignedPolicy';
const ALLOW_OVERRIDE_KEY = 'security.allowPolicyOverride';

/** Top-level keys of a file that are not settings: the schema link and a signed policy's stamp. */
const META_KEYS = new Set(['$schema', 'serial', 'expiresAt']);
const sectionNames = new Set(configLeaves.map((leaf) => leaf.key.split('.')[0]));

function readLayerFile(
  file: string,
  issues: ConfigIssue[],
  onBytes?: (bytes: Buffer) => void,
): Record<string, unknown> {
  let text: string;
  try {
    const bytes = fs.readFileSync(file);
    onBytes?.(bytes);
    text = bytes.toString('utf8');
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

interface PolicyCheckContext {
  trust: PolicyTrust;
  /** The environment asks for signed policies (it can raise the requirement, never lower it). */
  requiredByEnv: boolean;
  now: Date;
  seenFile: string;
}

interface PolicyRead {
  file: string;
  values: Map<string, unknown>;
  issues: ConfigIssue[];
  state: PolicyState;
}

/** Reads, validates and checks one policy file; a refused policy contributes no values. */
function readPolicy(file: string, context: PolicyCheckContext): PolicyRead {
  let bytes: Buffer | undefined;
  const fileIssues: ConfigIssue[] = [];
  const raw = readLayerFile(file, fileIssues, (read) => (bytes = read));
  const values = validateLayer(raw, file, fileIssues);
  const signatureIssues: ConfigIssue[] = [];
  const state = checkPolicySignature(
    file,
    bytes,
    raw,
    context,
    values.get(REQUIRE_SIGNED_KEY) === true,
    signatureIssues,
  );
  return state.refused
    ? { file, values: new Map(), issues: signatureIssues, state }
    : { file, values, issues: [...signatureIssues, ...fileIssues], state };
}

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const defaults = platformPaths(options.platform, env, options.home, options.root);
  const issues: ConfigIssue[] = [];
  const merged = new Map<string, unknown>();
  const sources: Record<string, ConfigSource> = {};
  const ignoredOverrides: { key: string; source: string }[] = [];

  for (const leaf of configLeaves) {
    const fallback = leaf.schema.safeParse(undefined);
    if (fallback.success && fallback.data !== undefined) merged.set(leaf.key, fallback.data);
    sources[leaf.key] = 'default';
  }

  const envIssues: ConfigIssue[] = [];
  const envValues = envLayer(env, envIssues);
  const context: PolicyCheckContext = {
    trust: options.trust ?? readPolicyTrust(fileURLToPath(defaultTrustFile)),
    requiredByEnv: envValues.get(REQUIRE_SIGNED_KEY) === true,
    now: options.now ?? new Date(),
    seenFile: options.seenPolicyFile ?? path.join(defaults.dataDir, 'policy-seen.json'),
  };
  // The policy in the OS-protected location, unless the caller names one (tests, tools) or IT lets
  // the environment move it (a development build, or the protected policy's allowPolicyOverride).
  let read: PolicyRead;
  if (options.policyFile) read = readPolicy(options.policyFile, context);
  else {
    const protectedFile = protectedPolicyFile(options.platform, env, options.home, options.root);
    read = readPolicy(protectedFile, context);
    const override = requestedPolicyOverride(
      protectedFile,
      options.platform,
      env,
      options.home,
      options.root,
    );
    if (override) {
      const allowed =
        (options.buildKind ?? detectBuildKind()) === 'development' ||
        (!read.state.refused && read.values.get(ALLOW_OVERRIDE_KEY) === true);
      if (allowed) read = readPolicy(override.file, context);
      else ignoredOverrides.push({ key: '(policy file)', source: `${override.source} (${override.file})` });
    }
  }
  const policyFile = read.file;
  const policyState = read.state;
  const policy = read.values;
  issues.push(...read.issues);
  issues.push(...envIssues);
  for (const [key, value] of policy) {
    merged.set(key, value);
    sources[key] = 'policy';
  }
  const lockedKeys = [...policy.keys()].sort();

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
    policy: policyState,
  };
}

/** Decides whether the policy file may be applied, reporting why not as a configuration issue. */
function checkPolicySignature(
  file: string,
  bytes: Buffer | undefined,
  raw: Record<string, unknown>,
  context: PolicyCheckContext,
  requestedByPolicy: boolean,
  issues: ConfigIssue[],
): PolicyState {
  const { trust } = context;
  const signatureFile = signatureFileFor(file);
  const signatureRequired = trust.requireSignedPolicy || context.requiredByEnv || requestedByPolicy;
  const state: PolicyState = { file, signatureFile, signature: 'absent', signatureRequired, refused: false };
  const refuse = (problem: string) => {
    state.refused = true;
    issues.push({ source: file, key: '(signature)', problem });
  };
  if (bytes === undefined) {
    // Deleting the policy must not be a way out of it: where signed policies are required, no
    // policy is refused like an unsigned one.
    if (signatureRequired)
      refuse(
        `is missing, and this installation only accepts IT policies signed with the organisation's key, so exams are refused as for an unsigned policy. Ask IT to deploy the signed policy (${path.basename(file)} and ${path.basename(signatureFile)}) to this folder.`,
      );
    return state;
  }
  let signatureText: string | undefined;
  try {
    signatureText = fs.readFileSync(signatureFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const fix = `Ask IT to sign it again with \`vigil policy sign\` and deploy ${path.basename(signatureFile)} next to it.`;
  if (signatureText === undefined) {
    state.signature = 'unsigned';
    if (signatureRequired)
      refuse(
        `is not signed, and this installation only accepts IT policies signed with the organisation's key; the policy was not applied. ${fix}`,
      );
    return state;
  }
  const verdict = verifyPolicySignature(bytes, signatureText, trust);
  state.signature = verdict.status;
  if (verdict.keyId) state.keyId = verdict.keyId;
  if (verdict.status === 'invalid') {
    refuse(
      `does not match its signature ${signatureFile}: the policy was changed after it was signed, or signed with a key this app does not trust; the policy was not applied. ${fix}`,
    );
  } else if (verdict.status === 'untrusted' && signatureRequired) {
    refuse(
      "is signed, but this installation has no trusted policy key to check it with; the policy was not applied. Reinstall a Vigil build that carries your organisation's public key (resources/policy-trust.json).",
    );
  } else if (verdict.status === 'valid') {
    checkPolicyStamp(raw, context, state, refuse);
  }
  return state;
}

/** A validly signed policy must be current: stamped, not expired, not older than one applied here. */
function checkPolicyStamp(
  raw: Record<string, unknown>,
  context: PolicyCheckContext,
  state: PolicyState,
  refuse: (problem: string) => void,
): void {
  const read = readPolicyStamp(raw);
  if ('problem' in read) {
    refuse(
      `${read.problem}; the policy was not applied. Ask IT to add them and sign it again with \`vigil policy sign\`.`,
    );
    return;
  }
  const { serial, expiresAt } = read.stamp;
  if (Date.parse(expiresAt) <= context.now.getTime()) {
    refuse(
      `expired on ${expiresAt} (serial ${serial}); the policy was not applied. Ask IT to deploy the current signed policy.`,
    );
    return;
  }
  const seen = lastSeenPolicySerial(context.seenFile);
  if (seen !== undefined && serial < seen) {
    refuse(
      `is serial ${serial}, older than serial ${seen} that this computer already applied: an older signed policy cannot replace a newer one; the policy was not applied. Ask IT to deploy the current signed policy (serial ${seen} or later).`,
    );
    return;
  }
  state.stamp = read.stamp;
  recordSeenPolicySerial(context.seenFile, serial);
}

export function describeIssue(issue: ConfigIssue): string {
  return `${issue.source}: "${issue.key}" ${issue.problem}`;
}
