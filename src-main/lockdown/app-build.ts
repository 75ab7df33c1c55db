// Which code is running, for the app_build evidence. The Electron shell hashes its shipped bundles
// at start and registers the result (port.ts). Without the shell (headless host, CLI, tests) the
// main process runs the TypeScript sources through tsx and serves the built renderer, so those are
// what is hashed. A hash that cannot be computed says why: the server, which knows no such hash,
// then flags the session instead of trusting it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashBuildFiles, listBuildFiles, type AppBuildPayload } from './evidence-events';
import { currentAppBuild } from './port';

/** Folders of the running code when started from sources, relative to the package root. */
export const SOURCE_CODE_DIRS = ['src-main', 'src-preload', 'migrations', 'dist/renderer'] as const;

/** Hash of every file under the given folders (names and contents; missing folders are skipped). */
export async function hashCodeFolders(root: string, folders: readonly string[]): Promise<string> {
  const files: string[] = [];
  for (const folder of folders) {
    const dir = path.join(root, folder);
    if (!fs.existsSync(dir)) continue;
    for (const rel of await listBuildFiles(dir)) files.push(`${folder}/${rel}`);
  }
  if (files.length === 0) throw new Error(`no code found under ${root}`);
  return hashBuildFiles(root, files);
}

const packageRoot = () => fileURLToPath(new URL('../../', import.meta.url));

const sourceHashes = new Map<string, Promise<string>>();

/**
 * The running build: the shell's registration when there is one, else version plus a hash of the
 * source folders (computed once per process).
 */
export async function runningAppBuild(
  appVersion: string,
  root: string = packageRoot(),
): Promise<AppBuildPayload> {
  const registered = currentAppBuild();
  if (registered) return { ...registered, origin: 'bundles' };
  let hash = sourceHashes.get(root);
  if (!hash) {
    hash = hashCodeFolders(root, SOURCE_CODE_DIRS).catch(
      (error: unknown) => `unavailable: ${error instanceof Error ? error.message : String(error)}`,
    );
    sourceHashes.set(root, hash);
  }
  return {
    appVersion,
    buildHash: await hash,
    platform: process.platform,
    arch: process.arch,
    origin: 'sources',
  };
}
