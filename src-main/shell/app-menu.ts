// The application menu. Electron's default menu carries Reload and Toggle Developer Tools
// accelerators, so Vigil replaces it: no menu at all on Windows and Linux (there the proctor console
// opens with the `--proctor` switch), and on macOS only what the platform needs (about, the proctor
// console, quit, and the Edit menu so copy/paste work where the exam's policy allows).
import type { MenuItemConstructorOptions } from 'electron';

export interface AppMenuActions {
  /** Opens the proctor console window, or brings it to the front (refused during an exam). */
  openProctorConsole?: () => void;
}

export const OPEN_PROCTOR_CONSOLE_LABEL = 'Open Proctor Console';

export function applicationMenuTemplate(
  platform: string,
  actions: AppMenuActions = {},
): MenuItemConstructorOptions[] | null {
  if (platform !== 'darwin') return null;
  const openConsole = actions.openProctorConsole;
  // No accelerator: a key combination would be one more thing to intercept during an exam.
  const consoleItems: MenuItemConstructorOptions[] = openConsole
    ? [{ label: OPEN_PROCTOR_CONSOLE_LABEL, click: () => openConsole() }, { type: 'separator' }]
    : [];
  return [
    {
      label: 'Vigil',
      submenu: [{ role: 'about' }, { type: 'separator' }, ...consoleItems, { role: 'quit' }],
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
  ];
}
