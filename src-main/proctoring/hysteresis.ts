// One condition followed over time with hysteresis: it must hold for a minimum duration and number
// of frames before a warning starts, and be absent for a while before the warning ends. Frames
// where the condition cannot be judged (e.g. no embedding this frame) leave the state unchanged.

export interface HysteresisTiming {
  minDurationMs: number;
  clearAfterMs: number;
  minFrames: number;
}

export type Transition =
  | { kind: 'raised'; startMs: number; atMs: number; frames: number; confidence: number }
  | { kind: 'ended'; startMs: number; endMs: number; frames: number; confidence: number };

type State =
  | { name: 'idle' }
  | { name: 'pending'; startMs: number; frames: number; confidenceSum: number }
  | {
      name: 'active';
      startMs: number;
      frames: number;
      confidenceSum: number;
      clearingSinceMs: number | null;
    };

export class HysteresisTracker {
  private state: State = { name: 'idle' };

  constructor(private readonly timing: HysteresisTiming) {}

  get active(): boolean {
    return this.state.name === 'active';
  }

  /** `holds`: true/false, or null when this frame cannot tell. `confidence` is for this frame. */
  update(atMs: number, holds: boolean | null, confidence = 1): Transition | null {
    if (holds === null) return null;
    const s = this.state;
    switch (s.name) {
      case 'idle':
        if (holds) this.state = { name: 'pending', startMs: atMs, frames: 1, confidenceSum: confidence };
        return null;
      case 'pending':
        if (!holds) {
          this.state = { name: 'idle' };
          return null;
        }
        s.frames++;
        s.confidenceSum += confidence;
        if (atMs - s.startMs >= this.timing.minDurationMs && s.frames >= this.timing.minFrames) {
          this.state = { ...s, name: 'active', clearingSinceMs: null };
          return {
            kind: 'raised',
            startMs: s.startMs,
            atMs,
            frames: s.frames,
            confidence: s.confidenceSum / s.frames,
          };
        }
        return null;
      case 'active':
        if (holds) {
          s.clearingSinceMs = null;
          s.frames++;
          s.confidenceSum += confidence;
          return null;
        }
        if (s.clearingSinceMs === null) s.clearingSinceMs = atMs;
        if (atMs - s.clearingSinceMs >= this.timing.clearAfterMs) {
          this.state = { name: 'idle' };
          return {
            kind: 'ended',
            startMs: s.startMs,
            endMs: s.clearingSinceMs,
            frames: s.frames,
            confidence: s.confidenceSum / s.frames,
          };
        }
        return null;
    }
  }

  /** Ends an active warning now (session end); a pending one is discarded. */
  flush(atMs: number): Transition | null {
    const s = this.state;
    this.state = { name: 'idle' };
    if (s.name !== 'active') return null;
    return {
      kind: 'ended',
      startMs: s.startMs,
      endMs: s.clearingSinceMs ?? atMs,
      frames: s.frames,
      confidence: s.confidenceSum / s.frames,
    };
  }
}
