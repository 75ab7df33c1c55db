// Native modules for `npm start` under Electron. node_modules/better-sqlite3 is compiled for Node's
// ABI (tests, the CLI, `vigil host` and the worker all load it), and Electron refuses that build
// (NODE_MODULE_VERSION mismatch). So the start script rebuilds a copy for the installed Electron
// into its own folder (ELECTRON_NATIVE_DIR) and the development app loads that copy; the Node build
// is never touched. A packaged app needs none of this: electron-builder rebuilds node_modules for
// Electron at package time (`npmRebuild: true` in electron-builder.yml).
import path from 'node:path';

/** Folder (under the app root) that holds the Electron build of the native modules. */
export const ELECTRON_NATIVE_DIR = '.electron-native';

/** What the Electron build was made for; a change in any field makes it unusable. */
export interface NativeBuildStamp {
  electron: string;
  betterSqlite3: string;
  platform: string;
  arch: string;
}

export type RebuildDecision = { rebuild: false } | { rebuild: true; reason: string };

/**
 * Whether the start script must rebuild before launching: when no Electron build exists, when the
 * one there was made for another Electron, better-sqlite3, platform or architecture, or when its
 * stamp cannot be read (a half-finished earlier rebuild).
 */
export function decideNativeRebuild(
  wanted: NativeBuildStamp,
  existing: { stamp: unknown; bindingExists: boolean },
): RebuildDecision {
  if (!existing.bindingExists) return { rebuild: true, reason: 'no Electron build of better-sqlite3 yet' };
  const stamp = parseStamp(existing.stamp);
  if (!stamp) return { rebuild: true, reason: 'the earlier Electron build did not finish' };
  for (const key of ['electron', 'betterSqlite3', 'platform', 'arch'] as const) {
    if (stamp[key] !== wanted[key]) {
      return { rebuild: true, reason: `${key} changed from ${stamp[key]} to ${wanted[key]}` };
    }
  }
  return { rebuild: false };
}

function parseStamp(value: unknown): NativeBuildStamp | null {
  if (!value || typeof value !== 'object') return null;
  const record = value as Record<string, unknown>;
  const fields = ['electron', 'betterSqlite3', 'platform', 'arch'] as const;
  if (!fields.every((key) => typeof record[key] === 'string')) return null;
  return record as unknown as NativeBuildStamp;
}

/** Paths of the Electron build under an app root (the repository when started by `npm start`). */
export function electronNativePaths(appRoot: string) {
  const dir = path.join(appRoot, ELECTRON_NATIVE_DIR);
  const moduleDir = path.join(dir, 'node_modules', 'better-sqlite3');
  return {
    dir,
    moduleDir,
    stamp: path.join(dir, 'stamp.json'),
    binding: path.join(moduleDir, 'build', 'Release', 'better_sqlite3.node'),
  };
}
