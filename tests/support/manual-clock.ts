// A monotonic clock and scheduler that tests move by hand: time limits are checked without waiting
// and without timed assertions.
import type { MonotonicClock, Scheduler } from '../../src-main/interview/clock';

export class ManualClock implements MonotonicClock, Scheduler {
  private t = 1_000;
  private timers: { at: number; fn: () => void; live: boolean }[] = [];

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.t + ms, fn, live: true };
    this.timers.push(timer);
    return () => {
      timer.live = false;
    };
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.live && x.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.live = false;
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = target;
    this.timers = this.timers.filter((x) => x.live);
  }
}
