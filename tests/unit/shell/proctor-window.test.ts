// The proctor console window: the candidate window's secure preferences, none of its lockdown, the
// console route over app://; and which window a launch, a second launch or the app menu opens.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applicationMenuTemplate, OPEN_PROCTOR_CONSOLE_LABEL } from '../../../src-main/shell/app-menu';
import { APP_ORIGIN } from '../../../src-main/shell/app-protocol';
import { isTrustedSender } from '../../../src-main/shell/ipc-binding';
import {
  createProctorWindow,
  openProctorWindow,
  PROCTOR_ENTRY_URL,
} from '../../../src-main/shell/proctor-window';
import { candidateWindowOptions } from '../../../src-main/shell/window-options';
import {
  createWindowRouter,
  PROCTOR_SWITCH,
  wantsProctorConsole,
} from '../../../src-main/shell/window-router';
import { FakeEmitter } from '../../support/electron-fakes';

type Options = ReturnType<typeof candidateWindowOptions>;

class RecordingWindow {
  constructor(readonly options: Options) {}
}

/** A BrowserWindow stand-in recording what the shell does to it. */
class FakeBrowserWindow extends FakeEmitter {
  static created: FakeBrowserWindow[] = [];
  readonly calls: string[] = [];
  destroyed = false;
  minimized = false;
  constructor(readonly options: Options) {
    super();
    FakeBrowserWindow.created.push(this);
  }
  once(event: string, listener: () => void) {
    const once = () => {
      this.removeListener(event, once);
      listener();
    };
    return this.on(event, once);
  }
  removeMenu() {
    this.calls.push('removeMenu');
  }
  show() {
    this.calls.push('show');
  }
  focus() {
    this.calls.push('focus');
  }
  restore() {
    this.minimized = false;
    this.calls.push('restore');
  }
  isMinimized() {
    return this.minimized;
  }
  isDestroyed() {
    return this.destroyed;
  }
  loadURL(url: string) {
    this.calls.push(`loadURL(${url})`);
    return Promise.resolve();
  }
}

const proctorOptions = (production = true) =>
  createProctorWindow(RecordingWindow, '/app/preload/console.cjs', { production }).options;

describe('proctor window options', () => {
  it('has exactly the candidate window’s web preferences (isolation, sandbox, no Node, preload)', () => {
    for (const production of [true, false]) {
      expect(proctorOptions(production).webPreferences).toEqual({
        ...candidateWindowOptions('/app/preload/candidate.cjs', { production }).webPreferences,
        // Its own preload: only the console's calls (src-preload/console-preload.ts).
        preload: '/app/preload/console.cjs',
      });
    }
    expect(proctorOptions().webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
    expect(proctorOptions(false).webPreferences?.devTools).toBe(true);
  });

  it('is a normal window: no kiosk, fullscreen, always-on-top, hidden task bar entry', () => {
    expect(proctorOptions()).toMatchObject({
      kiosk: false,
      fullscreen: false,
      alwaysOnTop: false,
      skipTaskbar: false,
      minimizable: true,
      resizable: true,
      movable: true,
      closable: true,
      show: false,
    });
  });

  it('loads the console route over app://, which the IPC binding trusts', async () => {
    expect(PROCTOR_ENTRY_URL).toBe('app://vigil/index.html#/proctor');
    expect(isTrustedSender({ senderFrame: { url: PROCTOR_ENTRY_URL } })).toBe(true);
    FakeBrowserWindow.created = [];
    const window = openProctorWindow(FakeBrowserWindow, '/app/preload/console.cjs', { production: true });
    expect(window.calls).toEqual(['removeMenu', `loadURL(${PROCTOR_ENTRY_URL})`]);
    window.emit('ready-to-show');
    window.emit('ready-to-show');
    expect(window.calls.filter((c) => c === 'show')).toHaveLength(1);
    // No content protection or lockdown call is ever made on it.
    expect(window.calls.join()).not.toMatch(/Kiosk|FullScreen|AlwaysOnTop|ContentProtection/);
    const errors: unknown[] = [];
    class FailingWindow extends FakeBrowserWindow {
      override loadURL() {
        return Promise.reject(new Error('bundle missing'));
      }
    }
    openProctorWindow(FailingWindow, '/p.cjs', { production: true }, (e) => errors.push(e));
    await new Promise((r) => setImmediate(r));
    expect(errors).toHaveLength(1);
  });
});

describe('launch switch and single instance', () => {
  const setup = (lockdown = { active: false }) => {
    const opened: string[] = [];
    const refused: string[] = [];
    const router = createWindowRouter<FakeBrowserWindow>({
      openCandidate: () => {
        opened.push('candidate');
        return new FakeBrowserWindow({});
      },
      openProctor: () => {
        opened.push('proctor');
        return new FakeBrowserWindow({});
      },
      lockdownActive: () => lockdown.active,
      onRefused: (reason) => refused.push(reason),
    });
    return { router, opened, refused, lockdown };
  };

  it('reads --proctor from the command line', () => {
    expect(PROCTOR_SWITCH).toBe('--proctor');
    expect(wantsProctorConsole(['/opt/Vigil/vigil', '--proctor'])).toBe(true);
    expect(wantsProctorConsole(['electron', '.', '--no-sandbox', '--proctor'])).toBe(true);
    expect(wantsProctorConsole(['/opt/Vigil/vigil'])).toBe(false);
    expect(wantsProctorConsole(['/opt/Vigil/vigil', '--proctors'])).toBe(false);
  });

  it('opens the console alone with --proctor, the candidate window otherwise', () => {
    const a = setup();
    a.router.start(['vigil', '--proctor']);
    expect(a.opened).toEqual(['proctor']);
    expect(a.router.candidate).toBeUndefined();
    const b = setup();
    b.router.start(['vigil']);
    expect(b.opened).toEqual(['candidate']);
  });

  it('a second launch with --proctor opens the console once, then brings it to the front', () => {
    const { router, opened } = setup();
    router.start(['vigil']);
    const first = router.secondInstance(['vigil', '--proctor'])!;
    expect(opened).toEqual(['candidate', 'proctor']);
    first.minimized = true;
    first.calls.length = 0;
    expect(router.secondInstance(['vigil', '--proctor'])).toBe(first);
    expect(opened).toEqual(['candidate', 'proctor']);
    expect(first.calls).toEqual(['restore', 'show', 'focus']);
    // Closed since: the next request opens a new one.
    first.destroyed = true;
    const second = router.secondInstance(['vigil', '--proctor']);
    expect(second).not.toBe(first);
    expect(opened).toEqual(['candidate', 'proctor', 'proctor']);
  });

  it('a plain second launch focuses what is open, or opens the candidate window', () => {
    const { router, opened } = setup();
    const proctor = router.start(['vigil', '--proctor']);
    expect(router.secondInstance(['vigil'])).toBe(proctor);
    expect(proctor.calls.slice(-2)).toEqual(['show', 'focus']);
    proctor.destroyed = true;
    router.secondInstance(['vigil']);
    expect(opened).toEqual(['proctor', 'candidate']);
  });

  it('never opens the console over an exam in lockdown', () => {
    const { router, opened, refused, lockdown } = setup();
    const exam = router.start(['vigil']);
    lockdown.active = true;
    expect(router.secondInstance(['vigil', '--proctor'])).toBeUndefined();
    expect(router.openProctorConsole()).toBeUndefined();
    expect(opened).toEqual(['candidate']);
    expect(refused).toHaveLength(2);
    expect(exam.calls.slice(-2)).toEqual(['show', 'focus']);
    lockdown.active = false;
    expect(router.openProctorConsole()).toBeDefined();
    expect(opened).toEqual(['candidate', 'proctor']);
  });
});

describe('app menu item', () => {
  it('opens the console from the macOS app menu, without an accelerator', () => {
    let opened = 0;
    const template = applicationMenuTemplate('darwin', { openProctorConsole: () => opened++ })!;
    const appMenu = template[0]!.submenu as { label?: string; click?: () => void; accelerator?: string }[];
    const item = appMenu.find((i) => i.label === OPEN_PROCTOR_CONSOLE_LABEL)!;
    expect(item).toBeDefined();
    expect(item.accelerator).toBeUndefined();
    item.click!();
    expect(opened).toBe(1);
    expect(JSON.stringify(template)).not.toMatch(/reload|toggleDevTools/);
    // Windows and Linux keep no menu at all; there the switch opens the console.
    expect(applicationMenuTemplate('win32', { openProctorConsole: () => opened++ })).toBeNull();
    expect(applicationMenuTemplate('linux', { openProctorConsole: () => opened++ })).toBeNull();
  });

  it('is wired in main.ts: the menu action, the launch switch and second-instance go to the router', () => {
    const main = fs.readFileSync(path.resolve('src-main/shell/main.ts'), 'utf8');
    expect(main).toMatch(/openProctorConsole: \(\) => void windows\.openProctorConsole\(\)/);
    expect(main).toMatch(/windows\.start\(process\.argv\)/);
    expect(main).toMatch(
      /app\.on\('second-instance', \(_event, argv\) => \{\n\s+if \(windowsStarted\) windows\.secondInstance\(argv\);/,
    );
    expect(main).toMatch(/openProctorWindow\(BrowserWindow, preloadPaths\.console, \{ production \}/);
    expect(main).toMatch(/registry\.register\(window\.webContents, 'console'\)/);
    expect(main).toMatch(/lockdownActive: \(\) => examLockdownPort\(\)\?\.active \?\? false/);
    expect(APP_ORIGIN).toBe('app://vigil');
  });
});
