// Time sources for the session flow. Time limits use a monotonic clock (never jumps when the wall
// clock is changed, e.g. by a candidate); timestamps stored for people use the wall clock. Both are
// injectable so tests step time by hand instead of waiting.
export interface MonotonicClock {
  /** Milliseconds from an arbitrary origin; only differences are meaningful. */
  now(): number;
}

export interface Scheduler {
  /** Runs fn after ms; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const systemMonotonicClock: MonotonicClock = { now: () => performance.now() };

export const systemScheduler: Scheduler = {
  after(ms, fn) {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};
