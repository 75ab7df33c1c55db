// Keyboard shortcuts during an exam. Those Chromium sees are intercepted in before-input-event:
// dev tools, reload, close/quit, print/save/view-source, new windows, hide/minimize, fullscreen
// toggles, and copy/cut/paste when the clipboard is blocked. The ones the OS keeps for itself
// (Alt+Tab, Cmd+Tab, Ctrl+Alt+Del, the Windows key) never reach us: they show up as focus loss.
// Zoom stays allowed for accessibility.

/** The fields of Electron's Input this module uses. */
export interface KeyInput {
  type: string;
  key: string;
  code?: string;
  shift: boolean;
  control: boolean;
  alt: boolean;
  meta: boolean;
}

export interface ShortcutDecision {
  block: boolean;
  /** Human name, e.g. "Control+Shift+I (dev tools)". */
  name: string;
}

export function describeKeys(input: KeyInput): string {
  const mods = [
    input.control && 'Control',
    input.meta && 'Meta',
    input.alt && 'Alt',
    input.shift && 'Shift',
  ].filter(Boolean);
  const key = input.key.length === 1 ? input.key.toUpperCase() : input.key;
  return [...mods, key].join('+');
}

export function decideShortcut(
  input: KeyInput,
  options: { platform: string; blockClipboard: boolean },
): ShortcutDecision | undefined {
  if (input.type !== 'keyDown') return undefined;
  const key = input.key.length === 1 ? input.key.toLowerCase() : input.key;
  const mac = options.platform === 'darwin';
  const cmd = mac ? input.meta : input.control; // the platform's command modifier
  const name = describeKeys(input);
  const block = (why: string): ShortcutDecision => ({ block: true, name: `${name} (${why})` });

  if (key === 'F12') return block('dev tools');
  if (cmd && (input.shift || (mac && input.alt)) && ['i', 'j', 'c'].includes(key)) return block('dev tools');
  if (key === 'F5' || (cmd && key === 'r')) return block('reload');
  if (key === 'F11' || (mac && input.meta && input.control && key === 'f')) return block('fullscreen toggle');
  if ((input.alt && key === 'F4') || (cmd && ['w', 'q', 'F4'].includes(key))) return block('close');
  if (cmd && ['p', 's', 'u', 'o'].includes(key)) return block('print, save or view source');
  if (cmd && ['n', 't'].includes(key)) return block('new window');
  if (mac && input.meta && ['h', 'm'].includes(key)) return block('hide or minimize');
  if (options.blockClipboard) {
    if (cmd && ['c', 'x', 'v', 'Insert'].includes(key)) return block('clipboard');
    if (input.shift && (key === 'Insert' || key === 'Delete')) return block('clipboard');
  }
  return undefined;
}

export interface InputEventLike {
  preventDefault(): void;
}

/** The part of Electron's WebContents this module uses. */
export interface InputWebContentsLike {
  on(event: 'before-input-event', listener: (event: InputEventLike, input: KeyInput) => void): unknown;
  removeListener(
    event: 'before-input-event',
    listener: (event: InputEventLike, input: KeyInput) => void,
  ): unknown;
}

export function installShortcutGuard(
  contents: InputWebContentsLike,
  options: { platform: string; blockClipboard: boolean },
  onBlocked: (shortcut: string) => void,
): () => void {
  const listener = (event: InputEventLike, input: KeyInput) => {
    const decision = decideShortcut(input, options);
    if (!decision?.block) return;
    event.preventDefault();
    onBlocked(decision.name);
  };
  contents.on('before-input-event', listener);
  return () => contents.removeListener('before-input-event', listener);
}
