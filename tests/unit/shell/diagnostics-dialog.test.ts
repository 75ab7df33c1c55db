// The desktop app's "Save diagnostics": the save dialog decides where the archive goes, suggesting
// the archive's name on the Desktop; cancelling writes nothing anywhere.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src-main/config/load';
import { diagnosticsDirFor, saveDiagnosticsArchive } from '../../../src-main/doctor/diagnostics-archive';
import { createDiagnosticsSaveDialog } from '../../../src-main/shell/diagnostics-dialog';
import { makeTempDir } from '../../support/temp-dir';

let scratch: { dir: string; cleanup(): void };
beforeEach(() => (scratch = makeTempDir('vigil-diag-dialog-')));
afterEach(() => scratch.cleanup());

const report = { ok: true, generatedAt: new Date().toISOString(), checks: [], exitCode: 0 };

function fakeDialog(answer: { canceled: boolean; filePath?: string }) {
  const asked: { defaultPath?: string }[] = [];
  return {
    asked,
    dialog: {
      showSaveDialog: async (...args: unknown[]) => {
        asked.push(args.at(-1) as { defaultPath?: string });
        return { canceled: answer.canceled, filePath: answer.filePath ?? '' };
      },
    },
  };
}

describe('Save diagnostics in the desktop app', () => {
  const loaded = () =>
    loadConfig({
      policyFile: path.join(scratch.dir, 'policy.json'),
      env: { VIGIL_DATA_DIR: path.join(scratch.dir, 'data') },
      home: scratch.dir,
    });

  it('writes the archive where the candidate chose, suggesting its name on the Desktop', async () => {
    const chosen = path.join(scratch.dir, 'picked.tar.gz');
    const fake = fakeDialog({ canceled: false, filePath: chosen });
    const choose = createDiagnosticsSaveDialog({
      dialog: fake.dialog,
      parentWindow: () => null,
      defaultDir: () => path.join(scratch.dir, 'Desktop'),
    });
    const saved = await saveDiagnosticsArchive({
      loaded: loaded(),
      report,
      appVersion: '1.2.3',
      mode: 'electron',
      choose,
    });
    expect(saved.path).toBe(chosen);
    expect(fs.statSync(chosen).size).toBe(saved.bytes);
    expect(fake.asked[0]?.defaultPath).toMatch(/Desktop[\\/]vigil-diagnostics-\d{8}T\d{6}Z\.tar\.gz$/);
    expect(fs.existsSync(diagnosticsDirFor(path.join(scratch.dir, 'data')))).toBe(false);
  });

  it('writes nothing when the candidate cancels', async () => {
    const fake = fakeDialog({ canceled: true });
    const choose = createDiagnosticsSaveDialog({
      dialog: fake.dialog,
      parentWindow: () => null,
      defaultDir: () => scratch.dir,
    });
    const saved = await saveDiagnosticsArchive({
      loaded: loaded(),
      report,
      appVersion: '1.2.3',
      mode: 'electron',
      choose,
    });
    expect(saved.path).toBeNull();
    expect(fs.readdirSync(scratch.dir).filter((f) => f.endsWith('.gz'))).toEqual([]);
  });
});
