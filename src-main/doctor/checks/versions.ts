// App, Electron, Node and OS versions: the first thing support asks for.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import type { DoctorCheck } from '../types';

function bundledElectronVersion(): string | undefined {
  try {
    const file = createRequire(import.meta.url).resolve('electron/package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

export function versionsCheck(appVersion: string): DoctorCheck {
  // Inside the app, process.versions.electron is the running runtime; from the CLI it is the
  // Electron version the installers are built with.
  const running = process.versions.electron;
  const electron = running ?? bundledElectronVersion();
  return {
    id: 'versions',
    title: 'Versions',
    status: 'ok',
    summary: `Vigil ${appVersion}, Electron ${electron ?? 'unknown'}${running ? '' : ' (build target; not running in Electron)'}, Node ${process.versions.node}, ${os.platform()} ${os.release()} ${os.arch()}`,
    details: {
      app: appVersion,
      electron: electron ?? null,
      electronRunning: Boolean(running),
      chrome: process.versions.chrome ?? null,
      node: process.versions.node,
      platform: os.platform(),
      osRelease: os.release(),
      arch: os.arch(),
    },
  };
}
