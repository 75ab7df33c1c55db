// The update state machine: idle → checking → up-to-date | available → downloading(%) → ready, or
// error(unsigned | corrupt | offline | failed). It checks at start and every
// `update.checkIntervalHours`, and never starts a check or a download, nor offers or performs a
// restart, while an exam is in progress on this device: that work waits and runs once the exam is
// over (a check is cheap, but a download competes with the session's uploads, and a restart would
// interrupt the candidate). A failed or unsigned update is reported and nothing else changes: the
// installed version keeps running and the next scheduled check tries again. Pure: no electron.
import type { UpdateStatus } from '../../src-preload/contract';
import { VigilError } from '../errors';
import {
  classifyUpdateFailure,
  type UpdateFailureReason,
  type UpdaterFailure,
  type UpdaterPort,
} from './updater';

export interface UpdateClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemUpdateClock: UpdateClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface UpdateControllerDeps {
  /** The updater, or why there is none (IT pins the version, a development build, the host). */
  port: UpdaterPort | { disabled: string };
  currentVersion: string;
  /** A session started on this device and not finished (consent to finish). */
  examInProgress: () => Promise<boolean>;
  checkIntervalHours: number;
  clock?: UpdateClock;
  /** How soon deferred work is looked at again while an exam runs. */
  deferRetryMs?: number;
  onChange?: (status: UpdateStatus) => void;
  onError?: (error: unknown) => void;
}

type Phase =
  | { state: 'disabled'; reason: string }
  | { state: 'idle' }
  | { state: 'checking' }
  | { state: 'up-to-date' }
  | { state: 'available'; version: string }
  | { state: 'downloading'; version: string; percent: number }
  | { state: 'ready'; version: string }
  | { state: 'error'; reason: UpdateFailureReason; message: string; version: string | null };

const HOUR_MS = 3_600_000;

export class UpdateController {
  private phase: Phase;
  private exam = false;
  private lastCheckedAt: number | null = null;
  private nextCheckAt: number | null = null;
  private timer: unknown;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly clock: UpdateClock;
  private readonly intervalMs: number;
  private readonly deferRetryMs: number;

  constructor(private readonly deps: UpdateControllerDeps) {
    this.clock = deps.clock ?? systemUpdateClock;
    this.intervalMs = Math.max(1, deps.checkIntervalHours) * HOUR_MS;
    this.deferRetryMs = deps.deferRetryMs ?? 60_000;
    this.phase =
      'disabled' in deps.port ? { state: 'disabled', reason: deps.port.disabled } : { state: 'idle' };
  }

  /** The first check is due now (the app has just started). */
  start(): void {
    if (this.phase.state === 'disabled') return;
    this.nextCheckAt = this.clock.now();
    void this.wake();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  status(): UpdateStatus {
    const p = this.phase;
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      state: p.state,
      currentVersion: this.deps.currentVersion,
      version: 'version' in p ? p.version : null,
      percent: p.state === 'downloading' ? p.percent : p.state === 'ready' ? 100 : null,
      error: p.state === 'error' ? { reason: p.reason, message: p.message } : null,
      detail: p.state === 'disabled' ? p.reason : null,
      examInProgress: this.exam,
      canRestart: p.state === 'ready' && !this.exam,
      lastCheckedAt: iso(this.lastCheckedAt),
      nextCheckAt: p.state === 'disabled' ? null : iso(this.nextCheckAt),
    };
  }

  /**
   * Looks again at whether an exam is running and does what is due (the renderer asks when it shows
   * the exam list, so the work an exam deferred starts as soon as the candidate is back there).
   */
  async refresh(options: { checkNow?: boolean } = {}): Promise<UpdateStatus> {
    // "Check again" after an error or when up to date; a pending download or a ready update stays.
    const idle = ['idle', 'up-to-date', 'error'].includes(this.phase.state);
    if (options.checkNow && idle) this.nextCheckAt = this.clock.now();
    await this.wake();
    return this.status();
  }

  /** Restarts into the downloaded version: refused during an exam and when nothing is downloaded. */
  async restartToUpdate(): Promise<void> {
    await this.wake();
    if (this.phase.state !== 'ready')
      throw new VigilError(
        'CONFLICT',
        'No update is ready to install yet. Vigil will offer the restart once it is downloaded.',
      );
    if (this.exam)
      throw new VigilError(
        'CONFLICT',
        'Vigil does not restart to update during an exam. Finish the exam first; the update waits.',
      );
    if ('disabled' in this.deps.port) return;
    this.deps.port.quitAndInstall();
  }

  /** Runs what is due now, one pass at a time, then sets the timer for the next. */
  private wake(): Promise<void> {
    if (this.stopped || this.phase.state === 'disabled') return Promise.resolve();
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
      this.schedule();
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    const port = this.deps.port;
    if ('disabled' in port) return;
    await this.readExam(port);
    if (this.exam) return; // nothing starts during an exam; schedule() comes back after deferRetryMs
    if (this.phase.state === 'available') return this.download(port, this.phase.version);
    if (this.phase.state === 'ready') return;
    if (this.nextCheckAt !== null && this.clock.now() >= this.nextCheckAt) await this.check(port);
  }

  private async readExam(port: UpdaterPort): Promise<void> {
    let exam: boolean;
    try {
      exam = await this.deps.examInProgress();
    } catch (error) {
      // Not knowing is treated as "in an exam": a wrong restart costs far more than a late update.
      this.deps.onError?.(error);
      exam = true;
    }
    const changed = exam !== this.exam;
    this.exam = exam;
    port.setInstallOnQuit(!exam);
    if (changed) this.publish();
  }

  private async check(port: UpdaterPort): Promise<void> {
    this.set({ state: 'checking' });
    this.lastCheckedAt = this.clock.now();
    this.nextCheckAt = this.lastCheckedAt + this.intervalMs;
    let found: { version: string } | null;
    try {
      found = await port.check();
    } catch (error) {
      return this.fail(error, null);
    }
    if (!found) return this.set({ state: 'up-to-date' });
    this.set({ state: 'available', version: found.version });
    // The exam may have started while the server answered: the download then waits for its end.
    await this.readExam(port);
    if (!this.exam) await this.download(port, found.version);
  }

  private async download(port: UpdaterPort, version: string): Promise<void> {
    this.set({ state: 'downloading', version, percent: 0 });
    try {
      await port.download((percent) => {
        if (this.phase.state !== 'downloading') return;
        const rounded = Math.max(0, Math.min(100, Math.round(percent)));
        if (rounded !== this.phase.percent) this.set({ ...this.phase, percent: rounded });
      });
    } catch (error) {
      return this.fail(error, version);
    }
    // The exam may have started during the download: look first, so no restart is offered in it.
    await this.readExam(port);
    this.set({ state: 'ready', version });
  }

  private fail(error: unknown, version: string | null): void {
    const failure: UpdaterFailure = {
      message: error instanceof Error ? error.message : String(error),
      ...(typeof (error as { code?: unknown })?.code === 'string'
        ? { code: (error as { code: string }).code }
        : {}),
    };
    const reason = classifyUpdateFailure(failure);
    this.set({
      state: 'error',
      reason,
      message: failureMessage(reason, version, this.deps.currentVersion),
      version,
    });
    this.deps.onError?.(error);
  }

  private schedule(): void {
    if (this.stopped || this.phase.state === 'disabled') return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    // Ready and no exam: nothing more to do until the candidate restarts.
    if (this.phase.state === 'ready' && !this.exam) return;
    const deferred = this.phase.state === 'available' || this.phase.state === 'ready';
    const untilCheck = this.nextCheckAt === null ? Infinity : this.nextCheckAt - this.clock.now();
    // During an exam, deferred work is looked at every deferRetryMs; a check falling due waits too.
    const delay = this.exam
      ? deferred
        ? this.deferRetryMs
        : Math.max(untilCheck, this.deferRetryMs)
      : Math.max(0, untilCheck);
    if (!Number.isFinite(delay)) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.wake();
    }, delay);
  }

  private set(phase: Phase): void {
    this.phase = phase;
    this.publish();
  }

  private publish(): void {
    this.deps.onChange?.(this.status());
  }
}

/** What the candidate reads: what happened, that the installed version still works, what to do. */
function failureMessage(reason: UpdateFailureReason, version: string | null, current: string): string {
  const update = version ? `The update to Vigil ${version}` : 'The update check';
  const keep = `Vigil ${current} keeps working`;
  switch (reason) {
    case 'unsigned':
      return `${update} was refused because it is not signed by Vigil's publisher, so it was not installed. ${keep}; tell your IT team if this repeats.`;
    case 'corrupt':
      return `${update} arrived damaged (its checksum does not match), so it was not installed. ${keep}; Vigil tries again later.`;
    case 'offline':
      return `${update} could not reach the update server. ${keep}; Vigil tries again later.`;
    case 'failed':
      return `${update} failed. ${keep}; Vigil tries again later, or ask your IT team for the current installer.`;
  }
}
