// Builds a real app (real config loading, real dispatcher) in a scratch folder for tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type VigilApp } from '../../src-main/app/create-app';
import { loadConfig } from '../../src-main/config/load';
import { buildLogger, type Logger } from '../../src-main/log/logger';

export interface TestApp {
  app: VigilApp;
  dir: string;
  logs: string[];
  cleanup(): void;
}

export function memoryLogger(lines: string[]): Logger {
  return buildLogger('debug', { write: (line: string) => void lines.push(line) });
}

export function makeTempDir(prefix = 'vigil-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function createTestApp(mode: 'electron' | 'host' = 'host', env: NodeJS.ProcessEnv = {}): TestApp {
  const dir = makeTempDir();
  const loaded = loadConfig({
    env: { VIGIL_DATA_DIR: dir, ...env },
    policyFile: path.join(dir, 'policy.json'),
    home: dir,
  });
  const logs: string[] = [];
  const app = createApp({ loaded, logger: memoryLogger(logs), mode });
  return { app, dir, logs, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
