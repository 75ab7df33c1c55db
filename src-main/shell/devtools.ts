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

// Remote debugging. A debugger attached to the renderer or main process can read the exam, drive
// the UI and rewrite what is recorded, so a production build refuses to run at all when launched
// with one of Chromium's or Node's debugging switches. The fuses already drop NODE_OPTIONS and
// Node's own --inspect handling in packaged builds; this covers the Chromium switches (which no
// fuse turns off) and keeps refusing the Node ones should a fuse ever be flipped back.

/** The launch switches that open a debugging channel, as typed on the command line. */
const debuggingSwitches = [
  '--remote-debugging-port',
  '--remote-debugging-pipe',
  '--remote-debugging-address',
  '--remote-allow-origins',
  '--inspect',
  '--inspect-brk',
  '--inspect-port',
  '--inspect-publish-uid',
  '--inspect-wait',
] as const;

export type DebuggingDecision = { allowed: true } | { allowed: false; switches: string[]; message: string };

/**
 * Whether this launch may run: any debugging switch in argv (or Node's execArgv) ends a production
 * launch; development builds keep them, as developers need them. `--switch=value` and the split form
 * `--switch value` are the same switch; Chromium also accepts `-switch` and, on Windows, `/switch`,
 * so those are matched too. Only arguments before a `--` (end of options) count as switches.
 */
export function debuggingLaunchDecision(argv: readonly string[], production: boolean): DebuggingDecision {
  if (!production) return { allowed: true };
  const found: string[] = [];
  for (const arg of argv) {
    if (arg === '--') break;
    const name = arg
      .split('=', 1)[0]!
      .toLowerCase()
      .replace(/^(?:-|\/)(?=[a-z])/, '--');
    if ((debuggingSwitches as readonly string[]).includes(name) && !found.includes(name)) found.push(name);
  }
  if (found.length === 0) return { allowed: true };
  return {
    allowed: false,
    switches: found,
    message:
      `Vigil cannot start with remote debugging enabled (${found.join(', ')}): a debugger could read ` +
      'or change the exam. Start Vigil again from its normal shortcut, without these options. If IT ' +
      'added them, ask IT to remove them.',
  };
}
