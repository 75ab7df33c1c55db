// The audio watchdog: when the renderer's level/VAD frames stop arriving during a session, mic_lost
// starts at the last frame received and ends when frames resume (or at session end). Driven by an
// injected clock, so nothing waits in real time.
import { describe, expect, it } from 'vitest';
import type { FaceAnalyzer } from '../../../src-main/proctoring/face-analyzer';
import { resolvePolicy, type PolicyOverrides } from '../../../src-main/proctoring/policy';
import { ProctoringSession, type Clock } from '../../../src-main/proctoring/session';
import type { WarningEvent } from '../../../src-main/proctoring/types';

/** A clock whose time only moves when the test says so; timers fire as it passes their period. */
class ManualClock implements Clock {
  private t = 1_700_000_000_000;
  private readonly timers: { ms: number; due: number; fn: () => void }[] = [];
  now(): number {
    return this.t;
  }
  every(ms: number, fn: () => void): () => void {
    const timer = { ms, due: this.t + ms, fn };
    this.timers.push(timer);
    return () => this.timers.splice(this.timers.indexOf(timer), 1);
  }
  get active(): number {
    return this.timers.length;
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = this.timers.reduce<(typeof this.timers)[number] | null>(
        (a, b) => (a && a.due <= b.due ? a : b),
        null,
      );
      if (!next || next.due > end) break;
      this.t = next.due;
      next.due += next.ms;
      next.fn();
    }
    this.t = end;
  }
}

// The watchdog never touches the analyser; this one only satisfies the session's constructor.
const analyzer: FaceAnalyzer = {
  versions: { detector: 'none', human: 'none', tfjs: 'none', backend: 'none', models: [] },
  analyze: () => Promise.reject(new Error('not used')),
  stats: () => Promise.reject(new Error('not used')),
  onInterrupted: () => () => undefined,
  close: () => Promise.resolve(),
};

function session(overrides: PolicyOverrides = {}, expectAudio = false) {
  const clock = new ManualClock();
  const events: WarningEvent[] = [];
  const s = new ProctoringSession({
    policy: resolvePolicy(overrides),
    analyzer,
    sink: (e) => events.push(e),
    clock,
    expectAudio,
  });
  let atMs = 0;
  /** Sends one audio frame every 100 ms for `ms`, moving the clock along. */
  const talk = (ms: number): void => {
    for (const end = atMs + ms; atMs < end; atMs += 100) {
      s.submitAudio({ timestampMs: atMs, levelDb: -40, voiceProbability: 0.1, trackLive: true });
      clock.advance(100);
    }
  };
  const pause = (ms: number): void => {
    clock.advance(ms);
    atMs += ms;
  };
  return { s, clock, events, talk, pause };
}

const summary = (events: WarningEvent[]) =>
  events.map((e) => ({
    kind: e.kind,
    type: e.warning.type,
    startMs: e.warning.startMs,
    endMs: e.warning.endMs,
  }));

describe('audio watchdog', () => {
  it('raises mic_lost from the last frame when frames stop, and ends it when they resume', async () => {
    const { s, events, talk, pause } = session({ micLost: { noFramesAfterMs: 3000 } });
    talk(2000);
    pause(2900);
    await s.flush();
    expect(events).toEqual([]);
    pause(2100);
    await s.flush();
    expect(summary(events)).toEqual([{ kind: 'raised', type: 'mic_lost', startMs: 1900, endMs: null }]);
    const raised = events[0]!.warning;
    expect(raised.detector).toBe('audio frame watchdog (main)');
    expect(raised.thresholds).toEqual({ noFramesAfterMs: 3000 });
    expect(raised.details).toMatchObject({ reason: 'no_audio_frames' });
    // Raised on the first tick past the limit (ticks every 500 ms), not from a single frame.
    expect(raised.details.raisedAtMs as number).toBeGreaterThanOrEqual(1900 + 3000);
    expect(raised.details.raisedAtMs as number).toBeLessThanOrEqual(1900 + 3500);
    talk(1000);
    await s.flush();
    expect(summary(events)[1]).toEqual({ kind: 'ended', type: 'mic_lost', startMs: 1900, endMs: 7000 });
    expect(events[1]!.warning.details).toMatchObject({ gapMs: 5100 });
    await s.end();
    expect(events).toHaveLength(2);
  });

  it('closes an open gap at session end, and stops its timer', async () => {
    const { s, clock, events, talk, pause } = session({ micLost: { noFramesAfterMs: 2000 } });
    talk(500);
    expect(clock.active).toBe(1);
    pause(10_000);
    await s.end();
    expect(summary(events)).toEqual([
      { kind: 'raised', type: 'mic_lost', startMs: 400, endMs: null },
      { kind: 'ended', type: 'mic_lost', startMs: 400, endMs: 10_500 },
    ]);
    expect(clock.active).toBe(0);
  });

  it('watches from the start when audio is expected, and not at all when off or never sent', async () => {
    const expected = session({ micLost: { noFramesAfterMs: 3000 } }, true);
    expected.pause(4000);
    await expected.s.flush();
    expect(summary(expected.events)).toEqual([{ kind: 'raised', type: 'mic_lost', startMs: 0, endMs: null }]);

    const never = session({ micLost: { noFramesAfterMs: 3000 } });
    never.pause(60_000);
    expect(never.clock.active).toBe(0);
    expect(never.events).toEqual([]);

    const off = session({ micLost: { noFramesAfterMs: 0 } });
    off.talk(500);
    off.pause(60_000);
    await off.s.end();
    expect(off.clock.active).toBe(0);
    expect(off.events).toEqual([]);
  });

  it('keeps one warning when the track was already reported dead', async () => {
    const { s, events, pause, clock } = session({ micLost: { noFramesAfterMs: 3000, minDurationMs: 1000 } });
    for (let t = 0; t < 2000; t += 100) {
      s.submitAudio({ timestampMs: t, levelDb: -120, voiceProbability: 0, trackLive: false });
      clock.advance(100);
    }
    pause(8000);
    await s.end(10_000);
    expect(summary(events).map((e) => `${e.kind}:${e.type}`)).toEqual(['raised:mic_lost', 'ended:mic_lost']);
    expect(events[0]!.warning.detector).toMatch(/renderer audio meter/);
  });
});
