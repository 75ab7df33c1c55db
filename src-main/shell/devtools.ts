// Dev tools in production: the window is created with devTools: false; this also closes them if
// anything opens them anyway (a flag, an extension, a debugger attach).

/** The part of Electron's WebContents this module uses. */
export interface DevToolsContentsLike {
  on(event: 'devtools-opened', listener: () => void): unknown;
  closeDevTools(): void;
}

export function forbidDevTools(
  contents: DevToolsContentsLike,
  production: boolean,
  onOpened: () => void,
): void {
  if (!production) return;
  contents.on('devtools-opened', () => {
    contents.closeDevTools();
    onOpened();
  });
}
