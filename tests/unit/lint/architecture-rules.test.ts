// The lint rules that keep the architecture honest actually fire.
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// The snippets are virtual files outside the TypeScript projects, so type-aware rules are off for them.
const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: [tseslint.configs.disableTypeChecked] });
async function messagesFor(file: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('architecture lint rules', () => {
  it('forbids importing electron outside the shell and the preload entry', async () => {
    const code = "import { app } from 'electron';\nexport const name = app.name;\n";
    expect((await messagesFor('src-main/store/sneaky.ts', code)).join('\n')).toMatch(/no-restricted-imports/);
    expect((await messagesFor('src-renderer/sneaky.ts', code)).join('\n')).toMatch(/no-restricted-imports/);
    expect((await messagesFor('src-main/shell/fine.ts', code)).join('\n')).not.toMatch(
      /no-restricted-imports/,
    );
  });

  it('forbids exposing ipcRenderer itself', async () => {
    const direct =
      "import { contextBridge, ipcRenderer } from 'electron';\ncontextBridge.exposeInMainWorld('ipc', ipcRenderer);\n";
    const wrapped =
      "import { contextBridge, ipcRenderer } from 'electron';\ncontextBridge.exposeInMainWorld('x', { ipcRenderer });\n";
    expect((await messagesFor('src-preload/index.ts', direct)).join('\n')).toMatch(
      /Never expose ipcRenderer/,
    );
    expect((await messagesFor('src-preload/index.ts', wrapped)).join('\n')).toMatch(
      /Never expose ipcRenderer/,
    );
  });

  it('forbids default exports', async () => {
    expect((await messagesFor('src-main/app/x.ts', 'export default 1;\n')).join('\n')).toMatch(
      /Use named exports/,
    );
  });

  it('forbids import cycles, even through the real tree', async () => {
    // create-app imports config/app-version; making app-version import create-app back closes a cycle.
    const code = "import { createApp } from '../app/create-app';\nexport const make = createApp;\n";
    expect((await messagesFor('src-main/config/app-version.ts', code)).join('\n')).toMatch(/no-cycle/);
  });

  it('keeps domain folders below the session, the composition root and the entry points', async () => {
    const up = (target: string) => `import * as m from '${target}';\nexport const x = m;\n`;
    const session = await messagesFor('src-main/store/sneaky.ts', up('../session/runtime'));
    expect(session.join('\n')).toMatch(/no-restricted-paths: .*must not depend on the session/);
    const app = await messagesFor('src-main/proctoring/id/sneaky.ts', up('../../app/create-app'));
    expect(app.join('\n')).toMatch(/no-restricted-paths/);
    // proctoring/session.ts is a domain file, not the session layer.
    const sibling = await messagesFor('src-main/proctoring/id/fine.ts', up('../session'));
    expect(sibling.join('\n')).not.toMatch(/no-restricted-paths/);
    const sessionToApp = await messagesFor('src-main/session/sneaky.ts', up('../app/create-app'));
    expect(sessionToApp.join('\n')).toMatch(/must not depend on the composition root/);
    const renderer = await messagesFor('src-renderer/sneaky.ts', up('../src-main/errors'));
    expect(renderer.join('\n')).toMatch(/only through the contract/);
    const entry = await messagesFor('src-main/cli/fine.ts', up('../app/create-app'));
    expect(entry.join('\n')).not.toMatch(/no-restricted-paths/);
  });
});
