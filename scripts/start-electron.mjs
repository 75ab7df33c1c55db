// `npm start`: launches the desktop app when the Electron runtime is installed, and otherwise says
// plainly why it cannot and what to use instead.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
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
const built = spawnSync(process.execPath, ['scripts/build-main.mjs'], { stdio: 'inherit' });
const renderer = spawnSync('npx', ['vite', 'build'], { stdio: 'inherit' });
if (built.status !== 0 || renderer.status !== 0) process.exit(1);
const child = spawn(electronPath, ['.'], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
