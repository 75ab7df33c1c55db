// Keyboard shortcuts during an exam. Those Chromium sees are intercepted in before-input-event:
// dev tools, reload, close/quit, print/save/view-source, new windows, hide/minimize, fullscreen
// toggles, and copy/cut/paste when the clipboard is blocked. The ones the OS keeps for itself
// (Alt+Tab, Cmd+Tab, Ctrl+Alt+Del, the Windows key) never reach us: they show up as focus loss.
// Zoom stays allowed for accessibility, and so do the shortcuts that start, stop or drive assistive
// technology and switch input methods (assistiveShortcut below): a blind candidate must be able to
// turn the screen reader on inside the exam window, a Japanese candidate to switch the IME.

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

/**
 * Shortcuts of screen readers, magnifiers, on-screen keyboards, dictation and input methods, which
 * lockdown never blocks (the shell passes them on; most are the OS's and never reach Chromium, but a
 * Win+Ctrl+O or Cmd+F5 that does must not be taken for "open" or "reload"). Returns its name, or
 * undefined. Sources: Microsoft's "Windows keyboard shortcuts for accessibility" (Win+Ctrl+Enter
 * Narrator, Win+Ctrl+O On-Screen Keyboard, Win+Ctrl+N Narrator settings, Win+Ctrl+C colour filters,
 * Win+Ctrl+S speech recognition, Win+H dictation, Win+Plus/Minus/Esc Magnifier, Win+Space and
 * Ctrl+Space input method), Apple's VoiceOver guide (Cmd+F5 VoiceOver, Option+Cmd+F5 accessibility
 * shortcuts, Control+Option as the VoiceOver modifier, Control+Space input source), GNOME's Orca
 * guide (Super+Alt+S).
 */
export function assistiveShortcut(input: KeyInput, platform: string): string | undefined {
  const key = input.key.length === 1 ? input.key.toLowerCase() : input.key;
  if (platform === 'darwin') {
    if (input.meta && key === 'F5') return 'VoiceOver or accessibility shortcuts';
    // Control+Option is the VoiceOver modifier: every VoiceOver command carries both.
    if (input.control && input.alt) return 'VoiceOver command';
    if (input.control && key === ' ') return 'input source';
    return undefined;
  }
  if (input.meta && input.control && ['Enter', 'o', 'n', 'c', 's'].includes(key))
    return 'Narrator, On-Screen Keyboard, colour filters or speech recognition';
  if (input.meta && input.alt && key === 's') return 'Orca screen reader';
  if (input.meta && ['h', '+', '=', '-', 'Escape'].includes(key)) return 'dictation or Magnifier';
  if ((input.meta || input.control) && key === ' ') return 'input method';
  return undefined;
}

export function decideShortcut(
  input: KeyInput,
  options: { platform: string; blockClipboard: boolean },
): ShortcutDecision | undefined {
  if (input.type !== 'keyDown') return undefined;
  if (assistiveShortcut(input, options.platform)) return undefined;
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
