// The update state machine, rule by rule, on a fake clock and a fake updater (the electron-updater
// edge): checks at start and every N hours, nothing starts during an exam (it waits for the end),
// progress is reported, the restart is offered and performed only outside an exam, and a failed or
// unsigned update is reported while the installed version keeps running.
import { describe, expect, it } from 'vitest';
import type { UpdateStatus } from '../../../src-preload/contract';
import { isVigilError } from '../../../src-main/errors';
import { UpdateController, type UpdateClock } from '../../../src-main/update/update-controller';
import { classifyUpdateFailure, type UpdaterPort } from '../../../src-main/update/updater';

const HOUR = 3_600_000;

class FakeClock implements UpdateClock {
  at = Date.parse('2026-12-06T08:00:00Z');
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 1;
  now = () => this.at;
  setTimeout = (callback: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.at + ms, callback, id });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== handle);
  };
  /** Moves time on, firing each timer that falls due (and letting its async work settle). */
  async advance(ms: number): Promise<void> {
    const end = this.at + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.at = due.at;
      due.callback();
    }
    this.at = end;
    await settle();
  }
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

function error(message: string, code?: string): Error {
  return Object.assign(new Error(message), code ? { code } : {});
}

class FakeUpdater implements UpdaterPort {
  checks = 0;
  downloads = 0;
  installs = 0;
  installOnQuit: boolean | undefined;
  latest: string | null = null;
  checkFails: Error | undefined;
  downloadFails: Error | undefined;
  /** Progress the download reports, in order. */
  progress = [25, 50.4, 100];
  /** When set, the download waits for this to resolve (to observe it in flight). */
  gate: Promise<void> | undefined;
  check = async () => {
    this.checks++;
    if (this.checkFails) throw this.checkFails;
    return this.latest ? { version: this.latest } : null;
  };
  download = async (onProgress: (percent: number) => void) => {
    this.downloads++;
    for (const p of this.progress) onProgress(p);
    if (this.gate) await this.gate;
    if (this.downloadFails) throw this.downloadFails;
  };
  setInstallOnQuit = (allowed: boolean) => {
    this.installOnQuit = allowed;
  };
  quitAndInstall = () => {
    this.installs++;
  };
}

function setup(options: { exam?: boolean; latest?: string | null } = {}) {
  const clock = new FakeClock();
  const port = new FakeUpdater();
  port.latest = options.latest ?? null;
  const exam = { running: options.exam ?? false };
  const seen: UpdateStatus[] = [];
  const updates = new UpdateController({
    port,
    currentVersion: '1.2.0',
    examInProgress: async () => exam.running,
    checkIntervalHours: 4,
    clock,
    deferRetryMs: 60_000,
    onChange: (status) => seen.push(status),
  });
  return { clock, port, exam, seen, updates };
}

describe('update schedule', () => {
  it('checks at start and then every checkIntervalHours, not in between', async () => {
    const { clock, port, updates } = setup();
    updates.start();
    await clock.advance(0);
    expect(port.checks).toBe(1);
    expect(updates.status()).toMatchObject({
      state: 'up-to-date',
      currentVersion: '1.2.0',
      canRestart: false,
    });
    expect(updates.status().nextCheckAt).toBe(new Date(clock.at + 4 * HOUR).toISOString());
    await clock.advance(4 * HOUR - 1);
    expect(port.checks).toBe(1);
    await clock.advance(1);
    expect(port.checks).toBe(2);
    await clock.advance(8 * HOUR);
    expect(port.checks).toBe(4);
  });

  it('finds an update, reports the download progress in whole percent, and offers the restart', async () => {
    const { clock, port, seen, updates } = setup({ latest: '1.4.0' });
    updates.start();
    await clock.advance(0);
    expect(port.downloads).toBe(1);
    const states = seen.map((s) => (s.state === 'downloading' ? `downloading ${s.percent}` : s.state));
    expect(states).toEqual([
      'checking',
      'available',
      'downloading 0',
      'downloading 25',
      'downloading 50',
      'downloading 100',
      'ready',
    ]);
    expect(updates.status()).toMatchObject({ state: 'ready', version: '1.4.0', canRestart: true });
    expect(port.installOnQuit).toBe(true);
    await updates.restartToUpdate();
    expect(port.installs).toBe(1);
  });
});

describe('never during an exam', () => {
  it('starts no check during an exam and checks once it is over', async () => {
    const { clock, port, exam, updates } = setup({ exam: true, latest: '1.4.0' });
    updates.start();
    await clock.advance(6 * HOUR);
    expect(port.checks).toBe(0);
    expect(updates.status()).toMatchObject({ state: 'idle', examInProgress: true });
    exam.running = false;
    await clock.advance(60_000);
    expect(port.checks).toBe(1);
    expect(updates.status()).toMatchObject({ state: 'ready', examInProgress: false, canRestart: true });
  });

  it('does not start the download when the exam began while the server answered; starts it after', async () => {
    const { clock, port, exam, updates } = setup({ latest: '1.4.0' });
    port.check = async () => {
      port.checks++;
      exam.running = true; // the candidate consented meanwhile
      return { version: '1.4.0' };
    };
    updates.start();
    await clock.advance(0);
    expect(port.checks).toBe(1);
    expect(port.downloads).toBe(0);
    expect(updates.status()).toMatchObject({ state: 'available', version: '1.4.0', examInProgress: true });
    await clock.advance(30 * 60_000);
    expect(port.downloads).toBe(0);
    exam.running = false;
    // The exam list asks for the status: the deferred download starts then, without waiting for the timer.
    const status = await updates.refresh();
    expect(port.downloads).toBe(1);
    expect(status).toMatchObject({ state: 'ready', canRestart: true });
  });

  it('offers no restart, refuses quitAndInstall and turns off install-on-quit while an exam runs', async () => {
    const { clock, port, exam, seen, updates } = setup({ latest: '1.4.0' });
    let release!: () => void;
    port.gate = new Promise((resolve) => (release = resolve));
    updates.start();
    await clock.advance(0);
    expect(updates.status()).toMatchObject({ state: 'downloading', percent: 100 });
    exam.running = true; // the exam starts while the download finishes
    release();
    await clock.advance(0);
    expect(updates.status()).toMatchObject({ state: 'ready', examInProgress: true, canRestart: false });
    expect(seen.some((s) => s.state === 'ready' && s.canRestart)).toBe(false);
    expect(port.installOnQuit).toBe(false);
    let refused: unknown;
    await updates.restartToUpdate().catch((e: unknown) => (refused = e));
    expect(isVigilError(refused) && refused.code).toBe('CONFLICT');
    expect(isVigilError(refused) && refused.message).toMatch(/during an exam/);
    expect(port.installs).toBe(0);
    exam.running = false;
    await clock.advance(60_000);
    expect(updates.status()).toMatchObject({ state: 'ready', canRestart: true });
    expect(port.installOnQuit).toBe(true);
  });

  it('"check again" asks at once outside an exam, and waits for its end during one', async () => {
    const { clock, port, exam, updates } = setup();
    updates.start();
    await clock.advance(0);
    expect(port.checks).toBe(1);
    await updates.refresh({ checkNow: true });
    expect(port.checks).toBe(2);
    exam.running = true;
    await updates.refresh({ checkNow: true });
    await clock.advance(10 * 60_000);
    expect(port.checks).toBe(2);
    exam.running = false;
    await clock.advance(60_000);
    expect(port.checks).toBe(3);
  });

  it('treats an unknown exam state as an exam (a wrong restart costs more than a late update)', async () => {
    const { clock, port } = setup({ latest: '1.4.0' });
    const updates = new UpdateController({
      port,
      currentVersion: '1.2.0',
      examInProgress: () => Promise.reject(new Error('database locked')),
      checkIntervalHours: 4,
      clock,
      onError: () => undefined,
    });
    updates.start();
    await clock.advance(HOUR);
    expect(port.checks).toBe(0);
    expect(updates.status().examInProgress).toBe(true);
  });
});

describe('failed and unsigned updates', () => {
  it('reports an unsigned update, keeps the installed version, offers no restart and tries again later', async () => {
    const { clock, port, updates } = setup({ latest: '1.4.0' });
    port.downloadFails = error(
      'New version 1.4.0 is not signed by the application owner: publisherNames: Vigil Inc',
      'ERR_UPDATER_INVALID_SIGNATURE',
    );
    updates.start();
    await clock.advance(0);
    const status = updates.status();
    expect(status).toMatchObject({
      state: 'error',
      version: '1.4.0',
      canRestart: false,
      error: { reason: 'unsigned' },
    });
    expect(status.error?.message).toMatch(/not signed by Vigil's publisher.*Vigil 1\.2\.0 keeps working/);
    await expect(updates.restartToUpdate()).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(port.installs).toBe(0);
    port.downloadFails = undefined;
    await clock.advance(4 * HOUR);
    expect(port.checks).toBe(2);
    expect(updates.status()).toMatchObject({ state: 'ready', canRestart: true });
  });

  it('reports a failed check with what it means for the candidate', async () => {
    const { clock, port, updates } = setup();
    port.checkFails = error('getaddrinfo ENOTFOUND updates.example.org', 'ENOTFOUND');
    updates.start();
    await clock.advance(0);
    expect(updates.status()).toMatchObject({ state: 'error', error: { reason: 'offline' } });
    expect(updates.status().error?.message).toMatch(
      /could not reach the update server\. Vigil 1\.2\.0 keeps working/,
    );
  });

  it('classifies electron-updater errors by their codes and messages', () => {
    expect(classifyUpdateFailure({ message: 'x', code: 'ERR_UPDATER_INVALID_SIGNATURE' })).toBe('unsigned');
    expect(
      classifyUpdateFailure({
        message:
          'Code signature at URL file:///… did not pass validation: code failed to satisfy specified code requirement(s)',
      }),
    ).toBe('unsigned');
    expect(
      classifyUpdateFailure({
        message: 'sha512 checksum mismatch, expected a, got b',
        code: 'ERR_CHECKSUM_MISMATCH',
      }),
    ).toBe('corrupt');
    expect(classifyUpdateFailure({ message: 'net::ERR_INTERNET_DISCONNECTED' })).toBe('offline');
    expect(
      classifyUpdateFailure({
        message: 'Cannot find latest.yml',
        code: 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND',
      }),
    ).toBe('failed');
  });
});

describe('updates off', () => {
  it('never checks and says why when IT pins the version', async () => {
    const clock = new FakeClock();
    const updates = new UpdateController({
      port: { disabled: 'Updates on this computer are managed by your IT team.' },
      currentVersion: '1.2.0',
      examInProgress: async () => false,
      checkIntervalHours: 4,
      clock,
    });
    updates.start();
    await clock.advance(10 * HOUR);
    expect(updates.status()).toMatchObject({
      state: 'disabled',
      detail: /IT team/,
      canRestart: false,
      nextCheckAt: null,
    });
  });
});
