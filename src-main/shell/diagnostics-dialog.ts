// The desktop app's save dialog for "Save diagnostics" (About): the candidate picks where the
// support archive goes, by default their Desktop so they find it to send it to IT.
import path from 'node:path';
import type { BrowserWindow, Dialog, SaveDialogOptions } from 'electron';
import type { ChooseDiagnosticsFile } from '../doctor/diagnostics-archive';

export interface DiagnosticsDialogDeps {
  dialog: Pick<Dialog, 'showSaveDialog'>;
  /** The window the dialog belongs to (the focused one), if any. */
  parentWindow: () => BrowserWindow | null;
  defaultDir: () => string;
}

export function createDiagnosticsSaveDialog(deps: DiagnosticsDialogDeps): ChooseDiagnosticsFile {
  return async (suggestedName) => {
    const options: SaveDialogOptions = {
      title: 'Save Vigil diagnostics',
      defaultPath: path.join(deps.defaultDir(), suggestedName),
      buttonLabel: 'Save',
      filters: [{ name: 'Diagnostics archive', extensions: ['tar.gz', 'gz'] }],
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    };
    const parent = deps.parentWindow();
    const result = parent
      ? await deps.dialog.showSaveDialog(parent, options)
      : await deps.dialog.showSaveDialog(options);
    return result.canceled || !result.filePath ? null : result.filePath;
  };
}
