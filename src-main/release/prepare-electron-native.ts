// The start script's native step (scripts/start-electron.mjs): makes the Electron build of
// better-sqlite3 in ELECTRON_NATIVE_DIR when decideNativeRebuild says so. The module's sources are
// copied there (its own build/ left behind) and rebuilt in place, so node_modules/better-sqlite3,
// which tests and the CLI load under Node, stays as it is. The stamp is written last: a rebuild
// that fails or is interrupted leaves no stamp and is done again at the next start.
import fs from 'node:fs/promises';
import path from 'node:path';
import { decideNativeRebuild, electronNativePaths, type NativeBuildStamp } from './electron-native';

/** `rebuild` of @electron/rebuild, injected so the decision and the layout can be tested. */
export type RebuildNative = (options: {
  buildPath: string;
  electronVersion: string;
  arch: string;
  onlyModules: string[];
  force: boolean;
}) => Promise<void>;

export interface PrepareResult {
  rebuilt: boolean;
  reason?: string;
  binding: string;
}

export async function prepareElectronNative(options: {
  appRoot: string;
  electronVersion: string;
  rebuild: RebuildNative;
  platform?: string;
  arch?: string;
  log?: (line: string) => void;
}): Promise<PrepareResult> {
  const paths = electronNativePaths(options.appRoot);
  const source = path.join(options.appRoot, 'node_modules', 'better-sqlite3');
  const manifest = JSON.parse(await fs.readFile(path.join(source, 'package.json'), 'utf8')) as {
    version: string;
  };
  const wanted: NativeBuildStamp = {
    electron: options.electronVersion,
    betterSqlite3: manifest.version,
    platform: options.platform ?? process.platform,
    arch: options.arch ?? process.arch,
  };
  const stamp = await fs
    .readFile(paths.stamp, 'utf8')
    .then((text) => JSON.parse(text) as unknown)
    .catch(() => null);
  const bindingExists = await fs.stat(paths.binding).then(
    (stat) => stat.isFile(),
    () => false,
  );
  const decision = decideNativeRebuild(wanted, { stamp, bindingExists });
  if (!decision.rebuild) return { rebuilt: false, binding: paths.binding };

  options.log?.(`Rebuilding better-sqlite3 for Electron ${wanted.electron} (${decision.reason})…`);
  await fs.rm(paths.dir, { recursive: true, force: true });
  await fs.mkdir(paths.moduleDir, { recursive: true });
  await fs.cp(source, paths.moduleDir, {
    recursive: true,
    filter: (file) => path.relative(source, file).split(path.sep)[0] !== 'build',
  });
  // @electron/rebuild walks a package's dependencies from its package.json: this folder is a
  // package whose only dependency is the copied module.
  await fs.writeFile(
    path.join(paths.dir, 'package.json'),
    `${JSON.stringify({ name: 'vigil-electron-native', private: true, dependencies: { 'better-sqlite3': manifest.version } }, null, 2)}\n`,
  );
  await options.rebuild({
    buildPath: paths.dir,
    electronVersion: wanted.electron,
    arch: wanted.arch,
    onlyModules: ['better-sqlite3'],
    force: true,
  });
  await fs.access(paths.binding).catch(() => {
    throw new Error(`the rebuild finished but made no ${paths.binding}`);
  });
  await fs.writeFile(paths.stamp, `${JSON.stringify(wanted, null, 2)}\n`);
  return { rebuilt: true, reason: decision.reason, binding: paths.binding };
}
