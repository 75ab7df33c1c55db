// The built bundles under Electron's module rules, simulated as far as Node allows (the Electron
// runtime cannot be downloaded here; the release pipeline's smoke test, tests/electron/, loads them
// for real). Electron loads main.js as ESM (package.json "type": "module"); a packaged app has only
// the production dependencies in its node_modules; a sandboxed preload is CommonJS whose `require`
// knows only electron, events, timers and url (electronjs.org/docs/latest/tutorial/sandbox).
import { execFile } from 'node:child_process';
import { builtinModules, createRequire } from 'node:module';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { windowCallNames } from '../../../src-preload/contract-windows';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');
const manifest = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
  type: string;
  main: string;
  dependencies: Record<string, string>;
};
let out: string;

beforeAll(async () => {
  out = await mkdtemp(path.join(ROOT, '.tmp-build-'));
  await run(process.execPath, ['scripts/build-main.mjs', '--out', out], { cwd: ROOT });
}, 120_000);
afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

/** Bare specifiers a bundle imports (static and dynamic), as esbuild writes them. */
function importedPackages(source: string): string[] {
  const found = new Set<string>();
  for (const match of source.matchAll(
    /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*"([^"]+)"|import\("([^"]+)"\)|^import\s*"([^"]+)"/gm,
  )) {
    const specifier = match[1] ?? match[2] ?? match[3];
    if (specifier && !specifier.startsWith('.')) found.add(specifier);
  }
  return [...found].sort();
}
const packageName = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
const isBuiltin = (specifier: string) =>
  specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);

describe('main process bundle (ESM under Electron)', () => {
  it('is the package entry and loads as an ES module', async () => {
    expect(manifest.type).toBe('module');
    expect(manifest.main).toBe('dist/main/main.js');
    const source = await readFile(path.join(out, 'main', 'main.js'), 'utf8');
    expect(source).not.toMatch(/\brequire\(\s*"electron"\s*\)/);
    expect(importedPackages(source)).toContain('electron');
  });

  it('imports only electron, Node built-ins and production dependencies, each resolvable', async () => {
    const require = createRequire(path.join(ROOT, 'package.json'));
    for (const bundle of ['main.js', 'analysis-worker.js', 'parser-worker.js']) {
      const specifiers = importedPackages(await readFile(path.join(out, 'main', bundle), 'utf8'));
      expect(specifiers.length).toBeGreaterThan(3);
      const packages = specifiers.filter((s) => !isBuiltin(s) && s !== 'electron');
      // A devDependency would work in `npm start` and be missing from the installed app.
      const notShipped = packages.filter((s) => !(packageName(s) in manifest.dependencies));
      expect(notShipped, `${bundle} imports packages the installer does not ship`).toEqual([]);
      for (const specifier of packages) {
        expect(() => require.resolve(packageName(specifier)), specifier).not.toThrow();
      }
    }
  });

  it.each(['analysis-worker.js', 'parser-worker.js'])(
    '%s runs in a worker thread, where the electron module does not exist',
    async (bundle) => {
      const source = await readFile(path.join(out, 'main', bundle), 'utf8');
      expect(importedPackages(source)).not.toContain('electron');
    },
  );
});

describe('sandboxed preloads', () => {
  /** Runs a preload as Electron's sandbox does: CommonJS, a require limited to four modules. */
  async function runSandboxed(file: string) {
    const exposed: Record<string, unknown> = {};
    const requested: string[] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
      ipcRenderer: {
        invoke: (channel: string, ...args: unknown[]) => Promise.resolve({ channel, args }),
        on: () => undefined,
        removeListener: () => undefined,
      },
    };
    const allowed: Record<string, unknown> = {
      electron,
      events: await import('node:events'),
      timers: await import('node:timers'),
      url: await import('node:url'),
    };
    const sandboxRequire = (id: string) => {
      requested.push(id);
      if (!(id in allowed)) throw new Error(`module not found: ${id} (a sandboxed preload cannot load it)`);
      return allowed[id];
    };
    const module = { exports: {} };
    const code = await readFile(file, 'utf8');
    const wrapper = vm.runInNewContext(`(function (require, module, exports) {${code}\n})`, {
      Promise,
      Object,
      TypeError,
      Error,
    }) as (req: typeof sandboxRequire, mod: typeof module, exp: object) => void;
    wrapper(sandboxRequire, module, module.exports);
    return { exposed, requested };
  }

  it.each(['candidate', 'console'] as const)(
    'the %s preload needs only electron and exposes exactly its calls',
    async (window) => {
      const { exposed, requested } = await runSandboxed(path.join(out, 'preload', `${window}.cjs`));
      expect([...new Set(requested)]).toEqual(['electron']);
      expect(Object.keys(exposed)).toEqual(['vigil']);
      const api = exposed.vigil as Record<string, unknown>;
      const calls = Object.keys(api).filter((key) => typeof api[key] === 'function' && key !== 'on');
      expect(calls.sort()).toEqual([...windowCallNames(window)].sort());
      expect(api.window).toBe(window);
      expect(Object.isFrozen(api)).toBe(true);
    },
  );
});
