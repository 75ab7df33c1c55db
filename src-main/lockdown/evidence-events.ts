// Evidence for the session's event chain: which app build ran, under which policy, and every
// lockdown result and warning. Plain data (kind + JSON payload) so the store can append them to
// the hash chain as they are; the server compares the build against the builds it knows.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { LockdownPolicy } from './policy';
import type { CheckResult, LockdownWarning } from './types';

export interface AppBuildPayload {
  appVersion: string;
  /** sha256 over the shipped main/preload/renderer bundles (see hashBuildFiles). */
  buildHash: string;
  electronVersion?: string;
  platform: string;
  arch: string;
  /** What was hashed: the shipped bundles (packaged app) or the source folders (host, CLI). */
  origin?: 'bundles' | 'sources';
}

export type LockdownEvidenceEvent =
  | { kind: 'app_build'; payload: AppBuildPayload }
  | { kind: 'lockdown_policy'; payload: { policyHash: string; policy: LockdownPolicy } }
  | { kind: 'lockdown_check'; payload: CheckResult }
  | { kind: 'lockdown_warning'; payload: LockdownWarning };

/** JSON with sorted keys, so equal values always hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

export function policyHash(policy: LockdownPolicy): string {
  return sha256Hex(canonicalJson(policy));
}

/**
 * The shipped files under a build folder (relative, '/'-separated, sorted), source maps excluded.
 * Walks one folder at a time: Electron's ASAR file system does not promise `readdir`'s recursive
 * option, and the packaged app reads its bundles from inside app.asar.
 */
export async function listBuildFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await fs.readdir(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile() && !entry.name.endsWith('.map')) files.push(child);
    }
  };
  await walk('');
  return files.sort();
}

/** Hash of the build's files: names (relative, sorted) and contents, so a patched bundle differs. */
export async function hashBuildFiles(root: string, relativePaths: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const rel of [...relativePaths].sort()) {
    const body = await fs.readFile(path.join(root, rel));
    hash.update(`${rel}\0${body.length}\0`);
    hash.update(body);
  }
  return hash.digest('hex');
}

export function appBuildEvent(payload: AppBuildPayload): LockdownEvidenceEvent {
  return { kind: 'app_build', payload };
}

export function policyEvent(policy: LockdownPolicy): LockdownEvidenceEvent {
  return { kind: 'lockdown_policy', payload: { policyHash: policyHash(policy), policy } };
}

export function checkEvent(result: CheckResult): LockdownEvidenceEvent {
  return { kind: 'lockdown_check', payload: result };
}

export function warningEvent(warning: LockdownWarning): LockdownEvidenceEvent {
  return { kind: 'lockdown_warning', payload: warning };
}

export interface KnownBuild {
  appVersion: string;
  buildHash: string;
}

/** Server-side rule: a session whose build is not a known release is flagged for review. */
export function reviewAppBuild(
  build: AppBuildPayload | undefined,
  known: readonly KnownBuild[],
): { flagged: boolean; reason?: string } {
  if (!build) return { flagged: true, reason: 'the session carries no app_build evidence' };
  const sameVersion = known.filter((k) => k.appVersion === build.appVersion);
  if (sameVersion.length === 0) return { flagged: true, reason: `unknown app version ${build.appVersion}` };
  if (!sameVersion.some((k) => k.buildHash === build.buildHash))
    return { flagged: true, reason: `app version ${build.appVersion} with an unknown build hash` };
  return { flagged: false };
}
