// When the face detector (BlazeFace, the costliest model after the description) must run on a live
// frame. Between runs the face mesh tracks the faces the detector found; an empty result is reused
// the same way: while the picture stays as it was when the detector last found nobody, nobody is
// there, and the models are skipped. Time is frame time, not wall time, so reuse means the same thing
// live at 2 fps and in a benchmark that feeds frames back to back.
import { GridSnapshot, lumaChange, type LumaGrid } from './image-quality';

/**
 * detect: run the detector on this frame. track: let the mesh follow the faces found earlier (Human
 * still re-detects on a large change). unchanged_empty: nobody was there and nothing changed since.
 */
export type DetectorPlan = 'detect' | 'track' | 'unchanged_empty';

export class DetectorReuse {
  private lastDetectMs: number | null = null;
  private lastRunEmpty = false;
  /** When the detector last found nobody, and the picture then. */
  private emptyAtMs: number | null = null;
  private readonly emptyPicture = new GridSnapshot();

  /** @param sensitivity largest `lumaChange` still counted as the same picture. */
  constructor(private readonly sensitivity: number) {}

  plan(timestampMs: number, reuseMs: number, grid: LumaGrid): DetectorPlan {
    if (reuseMs <= 0) {
      this.lastDetectMs = null;
      this.emptyAtMs = null;
      return 'detect';
    }
    const within = (atMs: number): boolean => timestampMs >= atMs && timestampMs - atMs < reuseMs;
    const empty = this.emptyPicture.grid;
    if (
      this.emptyAtMs !== null &&
      empty &&
      within(this.emptyAtMs) &&
      lumaChange(grid, empty) <= this.sensitivity
    ) {
      return 'unchanged_empty';
    }
    // After an empty result there are no faces to track: the detector runs (Human would anyway).
    const due = this.lastDetectMs === null || !within(this.lastDetectMs) || this.lastRunEmpty;
    if (due) this.lastDetectMs = timestampMs;
    return due ? 'detect' : 'track';
  }

  /** After the models ran on a frame planned `plan`: how many faces they returned. */
  record(timestampMs: number, plan: DetectorPlan, faceCount: number, grid: LumaGrid): void {
    this.lastRunEmpty = faceCount === 0;
    if (faceCount > 0) {
      this.emptyAtMs = null;
    } else if (plan === 'detect') {
      this.emptyAtMs = timestampMs;
      this.emptyPicture.keep(grid);
    }
  }
}
