// Which window a launch opens. `--proctor` (first launch, a second launch, or the app menu's item)
// opens the proctor console or brings the open one to the front; a plain launch opens the candidate
// window. The app runs as a single instance, so a second launch arrives here as `second-instance`
// with its command line. While an exam is locked down nothing else may open over it: a request for
// the console is refused (and reported) and the candidate window keeps the front.
export const PROCTOR_SWITCH = '--proctor';

/** True when a command line asks for the proctor console. */
export function wantsProctorConsole(argv: readonly string[]): boolean {
  return argv.includes(PROCTOR_SWITCH);
}

/** The part of Electron's BrowserWindow that bringing a window to the front uses. */
export interface RoutedWindowLike {
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
}

export interface WindowRouterDeps<W extends RoutedWindowLike> {
  openCandidate(): W;
  openProctor(): W;
  /** True while the candidate window is in exam lockdown. */
  lockdownActive(): boolean;
  /** Told when a request for the console was refused, and why (for the log). */
  onRefused?(reason: string): void;
}

export interface WindowRouter<W> {
  /** The first launch: the console with `--proctor`, else the candidate window. */
  start(argv: readonly string[]): W;
  /** A second launch of the app (Electron's `second-instance` event). */
  secondInstance(argv: readonly string[]): W | undefined;
  /** Opens the console, or brings it to the front; undefined when refused during an exam. */
  openProctorConsole(): W | undefined;
  readonly candidate: W | undefined;
  readonly proctor: W | undefined;
}

function bringToFront(window: RoutedWindowLike): void {
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

export function createWindowRouter<W extends RoutedWindowLike>(deps: WindowRouterDeps<W>): WindowRouter<W> {
  let candidate: W | undefined;
  let proctor: W | undefined;
  const alive = (window: W | undefined) => (window && !window.isDestroyed() ? window : undefined);

  const openCandidate = (): W => {
    const open = alive(candidate);
    if (open) {
      bringToFront(open);
      return open;
    }
    candidate = deps.openCandidate();
    return candidate;
  };

  const openProctorConsole = (): W | undefined => {
    if (deps.lockdownActive()) {
      deps.onRefused?.('The proctor console cannot open while an exam is in progress on this computer.');
      const exam = alive(candidate);
      if (exam) bringToFront(exam);
      return undefined;
    }
    const open = alive(proctor);
    if (open) {
      bringToFront(open);
      return open;
    }
    proctor = deps.openProctor();
    return proctor;
  };

  return {
    start: (argv) => (wantsProctorConsole(argv) ? openProctorConsole() : undefined) ?? openCandidate(),
    secondInstance: (argv) => {
      if (wantsProctorConsole(argv)) return openProctorConsole();
      // A plain second launch shows what is open (the exam first), or the candidate window.
      const open = alive(candidate) ?? alive(proctor);
      if (open) {
        bringToFront(open);
        return open;
      }
      return openCandidate();
    },
    openProctorConsole,
    get candidate() {
      return alive(candidate);
    },
    get proctor() {
      return alive(proctor);
    },
  };
}
