// The console login belongs to the console window: signed in there (a real PostgreSQL proctor
// login), it is refused to the candidate window and to any other window, and closing the console
// window ends it, so the next console call needs a sign-in. Through the shell's IPC binding and
// window registry with fake WebContents, as main.ts wires them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindContract, type InvokeEventLike } from '../../../src-main/shell/ipc-binding';
import { createWindowRegistry, endConsoleLoginOnClose } from '../../../src-main/shell/window-registry';
import { createTestApp, type TestApp } from '../../support/app';
import { DEVICE_LOGIN, startCentral, type CentralFixture } from '../../support/central';
import { FakeEmitter } from '../../support/electron-fakes';

let central: CentralFixture;
let t: TestApp;

beforeAll(async () => {
  central = await startCentral();
  await central.createProctor('proctor_owner', [await central.createExam('Owned login')]);
  t = createTestApp('electron', {
    VIGIL_CENTRAL_URL: central.pg.urlFor(DEVICE_LOGIN),
    VIGIL_CENTRAL_SSL_MODE: 'disable',
  });
}, 120_000);
afterAll(async () => {
  await t?.app.close();
  t?.cleanup();
  await central?.close();
});

let nextId = 100;
/** A window's WebContents as main registers it: an id, send, and 'destroyed' when it closes. */
class FakeContents extends FakeEmitter {
  readonly id = nextId++;
  destroyed = false;
  isDestroyed() {
    return this.destroyed;
  }
  send() {}
  once(event: string, listener: () => void) {
    return this.on(event, listener);
  }
  close() {
    this.destroyed = true;
    this.emit('destroyed');
  }
}

/** Main's one IPC handler, the window registry and the close hook, as main.ts sets them up. */
function shell() {
  let handler: ((event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>) | undefined;
  const registry = createWindowRegistry();
  bindContract(
    { handle: (_channel, listener) => void (handler = listener), removeHandler: () => undefined },
    t.app.dispatcher,
    (id) => registry.windowOf(id),
  );
  endConsoleLoginOnClose(registry, t.app.context.console);
  const open = (kind: 'candidate' | 'console') => {
    const contents = new FakeContents();
    registry.register(contents, kind);
    const call = (name: string, request: unknown = {}) =>
      handler!(
        { senderFrame: { url: 'app://vigil/index.html' }, sender: { id: contents.id } },
        name,
        request,
      );
    return { contents, call };
  };
  return { open };
}

/** Lets the sign-out started by a closed window finish (it closes the login's pool). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

describe('the console login', () => {
  it('is the console window’s: other windows cannot use it, and closing the window ends it', async () => {
    const { open } = shell();
    const candidate = open('candidate');
    const consoleWindow = open('console');

    expect(
      await consoleWindow.call('consoleSignIn', { user: 'proctor_owner', password: 'pw' }),
    ).toMatchObject({
      ok: true,
      value: { role: 'proctor' },
    });
    expect(await consoleWindow.call('reviewQueue', {})).toMatchObject({ ok: true });

    // The candidate window cannot use it, by any console call.
    for (const name of ['reviewQueue', 'consoleWhoAmI', 'adminExportCsv', 'reviewBlob'])
      expect(await candidate.call(name, {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    // A second console window does not ride on the first one's login.
    const other = open('console');
    expect(await other.call('consoleWhoAmI')).toEqual({ ok: true, value: null });
    expect(await other.call('reviewQueue', {})).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', details: { reason: 'login_of_another_window' } },
    });
    // Closing that other window leaves the owner's login alone.
    other.contents.close();
    await settle();
    expect(await consoleWindow.call('reviewQueue', {})).toMatchObject({ ok: true });

    // Closing the console window logs out: a console opened next must sign in again.
    consoleWindow.contents.close();
    await settle();
    expect(t.app.context.console.whoAmI()).toBeNull();
    const reopened = open('console');
    expect(await reopened.call('consoleWhoAmI')).toEqual({ ok: true, value: null });
    const refused = await reopened.call('reviewQueue', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(JSON.stringify(refused)).toContain('Sign in to the console first');
    expect(await reopened.call('consoleSignIn', { user: 'proctor_owner', password: 'pw' })).toMatchObject({
      ok: true,
    });
    expect(await reopened.call('reviewQueue', {})).toMatchObject({ ok: true });
    reopened.contents.close();
    await settle();
  });
});
