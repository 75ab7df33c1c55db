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
});
