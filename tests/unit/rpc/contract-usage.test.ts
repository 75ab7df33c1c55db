// The contract is the product surface: every call has a user (a window of its group, or the CLI),
// and each window's preload, over Electron IPC or the browser host's WebSocket, exposes exactly the
// calls of its window and the app-wide ones.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { callNames, eventNames } from '../../../src-preload/contract';
import {
  callGroups,
  eventGroups,
  windowCallNames,
  windowKinds,
  windowOfRoute,
  type WindowKind,
} from '../../../src-preload/contract-windows';
import { createElectronApi } from '../../../src-preload/electron-api';
import { connectWsBridge } from '../../../src-preload/ws-bridge';

function sourcesUnder(...dirs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.(ts|tsx|mjs)$/.test(entry.name)) out.set(file, fs.readFileSync(file, 'utf8'));
    }
  };
  for (const dir of dirs) walk(dir);
  return out;
}

/** Where each window's screens live (src-renderer/App.tsx routes them). */
const windowSources: Record<WindowKind, Map<string, string>> = {
  candidate: sourcesUnder('src-renderer/candidate', 'src-renderer/capture'),
  console: sourcesUnder('src-renderer/proctor', 'src-renderer/admin'),
};
/** The About screen, the one screen both windows show (`#/about`), with its settings part. */
const aboutScreen = ['StartScreen.tsx', 'AboutSettings.tsx']
  .map((file) => fs.readFileSync(`src-renderer/candidate/${file}`, 'utf8'))
  .join('\n');
/** The CLI: its commands and `vigil demo`, which drives the contract as the candidate window. */
const cliSources = sourcesUnder('src-main/cli', 'src-main/demo');

const callsIn = (sources: Iterable<string>, name: string) =>
  [...sources].some((text) => new RegExp(`\\b(?:api|vigil)\\??\\.${name}\\(`).test(text));
const cliCalls = (name: string) => [...cliSources.values()].some((text) => text.includes(`call('${name}'`));

/** A socket that opens at once and records what the bridge sends. */
function fakeSocket(urls: string[]) {
  return (url: string) => {
    urls.push(url);
    const socket = {
      readyState: 1,
      addEventListener(type: string, listener: () => void) {
        if (type === 'open') queueMicrotask(listener);
      },
      send() {},
      close() {},
    };
    return socket as unknown as WebSocket;
  };
}

describe('contract usage', () => {
  it('puts every call and event in exactly one group', () => {
    expect(Object.keys(callGroups).sort()).toEqual([...callNames].sort());
    expect(Object.keys(eventGroups).sort()).toEqual([...eventNames].sort());
  });

  it('has a user for every call: a window of its group, or the CLI', () => {
    const unused: string[] = [];
    for (const name of callNames) {
      const group = callGroups[name];
      const used =
        group === 'app'
          ? callsIn([aboutScreen], name)
          : callsIn(windowSources[group].values(), name) || cliCalls(name);
      if (!used) unused.push(`${name} (${group})`);
    }
    expect(unused).toEqual([]);
  });

  it("never uses another window's calls in a window's screens", () => {
    for (const window of windowKinds) {
      const foreign = callNames.filter((name) => callGroups[name] !== 'app' && callGroups[name] !== window);
      for (const [file, text] of windowSources[window])
        expect(foreign.filter((name) => callsIn([text], name)).map((n) => `${file}: ${n}`)).toEqual([]);
    }
  });

  it('shows the About screen, with the app-wide calls, in both windows', () => {
    const app = fs.readFileSync('src-renderer/App.tsx', 'utf8');
    expect(app).toMatch(/\{api && route === 'about' && <StartScreen api=\{api\} \/>\}/);
    expect(windowOfRoute('#/about')).toBeUndefined();
    expect(windowOfRoute('#/proctor')).toBe('console');
    expect(windowOfRoute('#/admin/exams')).toBe('console');
    expect(windowOfRoute('#/')).toBe('candidate');
    expect(windowOfRoute('')).toBe('candidate');
  });

  it("exposes exactly the window's calls in each Electron preload", () => {
    const ipc = { invoke: async () => ({ ok: true }), on: () => undefined, removeListener: () => undefined };
    const expected = (window: WindowKind) =>
      callNames.filter((name) => callGroups[name] === 'app' || callGroups[name] === window);
    for (const window of windowKinds) {
      const api = createElectronApi(ipc, window);
      expect(Object.keys(api).sort()).toEqual([...expected(window), 'on', 'window'].sort());
    }
    // The groups as a user knows them: the candidate has no console sign-in, the console no consent.
    expect(Object.keys(createElectronApi(ipc, 'candidate'))).not.toContain('consoleSignIn');
    expect(Object.keys(createElectronApi(ipc, 'console'))).not.toContain('candidateConsent');
    expect(Object.keys(createElectronApi(ipc, 'console'))).toContain('getAppInfo');
  });

  it("exposes exactly the window's calls over the host bridge, and declares the window when connecting", async () => {
    for (const window of windowKinds) {
      const urls: string[] = [];
      const bridge = connectWsBridge({
        url: 'ws://127.0.0.1:1/vigil',
        token: 't',
        window,
        createSocket: fakeSocket(urls),
      });
      await bridge.ready;
      expect(Object.keys(bridge.api).sort()).toEqual([...windowCallNames(window), 'on', 'window'].sort());
      expect(bridge.api.window).toBe(window);
      expect(urls).toEqual([`ws://127.0.0.1:1/vigil?window=${window}&token=t`]);
    }
  });

  it("lets a window subscribe only to its group's events", () => {
    const ipc = { invoke: async () => ({ ok: true }), on: () => undefined, removeListener: () => undefined };
    const candidate = createElectronApi(ipc, 'candidate');
    const console = createElectronApi(ipc, 'console');
    expect(() => candidate.on('candidateNotice', () => undefined)).not.toThrow();
    expect(() => console.on('pong', () => undefined)).not.toThrow();
    const untyped = console as unknown as { on(event: string, listener: () => void): () => void };
    expect(() => untyped.on('candidateNotice', () => undefined)).toThrow(
      /console window has no 'candidateNotice'/,
    );
  });
});
