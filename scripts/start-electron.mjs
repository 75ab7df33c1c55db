// `npm start`: launches the desktop app when the Electron runtime is installed, and otherwise says
// plainly why it cannot and what to use instead. Before the launch, better-sqlite3 is rebuilt for
// the installed Electron into .electron-native/ when needed (src-main/release/electron-native.ts):
// node_modules keeps Node's build for tests and the CLI.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let electronPath;
try {
  electronPath = require('electron');
} catch (error) {
  process.stderr.write(
    [
      'Vigil cannot start the desktop app: the Electron runtime is not installed on this machine.',
      `(${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
      'Vigil installs without it (its download is skipped here). To get it, run:',
      '  node node_modules/electron/install.js',
      'on a machine that can reach the Electron download host. Meanwhile, run Vigil in a browser:',
      '  npm run host',
      '',
    ].join('\n'),
  );
  process.exit(1);
}

register();
const { prepareElectronNative } = await import('../src-main/release/prepare-electron-native.ts');
const { rebuild } = require('@electron/rebuild');
const electronVersion = require('electron/package.json').version;
try {
  await prepareElectronNative({
    appRoot: root,
    electronVersion,
    rebuild: (options) => rebuild(options),
    log: (line) => process.stdout.write(`${line}\n`),
  });
} catch (error) {
  process.stderr.write(
    [
      `Vigil could not build better-sqlite3 for Electron ${electronVersion}:`,
      `  ${error instanceof Error ? error.message : String(error)}`,
      'It needs a C++ toolchain (python3, make, a C++ compiler) and access to the Electron headers.',
      'Node’s own build in node_modules is unchanged: `npm test` and `npm run host` still work.',
      '',
    ].join('\n'),
  );
  process.exit(1);
}
const built = spawnSync(process.execPath, ['scripts/build-main.mjs'], { stdio: 'inherit', cwd: root });
const renderer = spawnSync('npx', ['vite', 'build'], { stdio: 'inherit', cwd: root });
if (built.status !== 0 || renderer.status !== 0) process.exit(1);
const child = spawn(electronPath, ['.'], { stdio: 'inherit', cwd: root });
child.on('exit', (code) => process.exit(code ?? 0));
