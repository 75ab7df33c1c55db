// The application menu. Electron's default menu carries Reload and Toggle Developer Tools
// accelerators, so Vigil replaces it: no menu at all on Windows and Linux, and on macOS only what
// the platform needs (quit, and the Edit menu so copy/paste work where the exam's policy allows).
import type { MenuItemConstructorOptions } from 'electron';

export function applicationMenuTemplate(platform: string): MenuItemConstructorOptions[] | null {
  if (platform !== 'darwin') return null;
  return [
    { label: 'Vigil', submenu: [{ role: 'about' }, { type: 'separator' }, { role: 'quit' }] },
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
