// Cheap image statistics that tell a covered, dark or blurred camera from a real scene, computed on
// a subsampled luma grid so they cost well under a millisecond per 640×480 frame. The same grid
// tells how much the picture changed since an earlier frame.
import type { ImageQuality, RawFrame } from './types';

/** Sampling stride in pixels: 2 keeps a 320×240 grid for a 640×480 frame. */
const STRIDE = 2;

/** Luma sampled every STRIDE pixels, row by row. */
export interface LumaGrid {
  width: number;
  height: number;
  values: Float32Array;
}

/** Reused between frames (one per thread): a fresh grid per frame would only feed the GC. */
let sharedBuffer = new Float32Array(0);

/** Samples the frame's luma into a buffer the next call overwrites (keep it with GridSnapshot). */
export function lumaGrid(frame: RawFrame): LumaGrid {
  const { width, height, channels, data } = frame;
  const gw = Math.floor(width / STRIDE);
  const gh = Math.floor(height / STRIDE);
  if (sharedBuffer.length < gw * gh) sharedBuffer = new Float32Array(gw * gh);
  const values = sharedBuffer;
  for (let gy = 0; gy < gh; gy++) {
    const row = gy * STRIDE * width;
    for (let gx = 0; gx < gw; gx++) {
      const i = (row + gx * STRIDE) * channels;
      values[gy * gw + gx] = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
    }
  }
  return { width: gw, height: gh, values };
}

export function imageQuality(frame: RawFrame, grid: LumaGrid = lumaGrid(frame)): ImageQuality {
  const { width: gw, height: gh, values: luma } = grid;
  if (gw < 3 || gh < 3) return { brightness: 0, contrast: 0, sharpness: 0 };
  const n = gw * gh;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const y = luma[i]!;
    sum += y;
    sumSq += y * y;
  }
  const mean = sum / n;
  const variance = Math.max(0, sumSq / n - mean * mean);
  // Variance of the 4-neighbour Laplacian: a standard focus/texture measure.
  let lapSum = 0;
  let lapSq = 0;
  let m = 0;
  for (let y = 1; y < gh - 1; y++) {
    for (let x = 1; x < gw - 1; x++) {
      const c = y * gw + x;
      const lap = luma[c - 1]! + luma[c + 1]! + luma[c - gw]! + luma[c + gw]! - 4 * luma[c]!;
      lapSum += lap;
      lapSq += lap * lap;
      m++;
    }
  }
  const lapMean = lapSum / m;
  return {
    brightness: round(mean),
    contrast: round(Math.sqrt(variance)),
    sharpness: round(Math.max(0, lapSq / m - lapMean * lapMean)),
  };
}

/**
 * How much the picture changed between two grids: the mean squared luma difference divided by 255
 * (the scale of Human's own frame-cache sensitivity), over the whole picture or inside `box`
 * ([x, y, width, height] in frame pixels). Grids of different sizes count as a change.
 */
export function lumaChange(a: LumaGrid, b: LumaGrid, box?: readonly number[]): number {
  if (a.width !== b.width || a.height !== b.height) return Infinity;
  let [x0, y0, x1, y1] = [0, 0, a.width, a.height];
  if (box) {
    const [bx = 0, by = 0, bw = 0, bh = 0] = box;
    x0 = Math.max(0, Math.floor(bx / STRIDE));
    y0 = Math.max(0, Math.floor(by / STRIDE));
    x1 = Math.min(a.width, Math.ceil((bx + bw) / STRIDE));
    y1 = Math.min(a.height, Math.ceil((by + bh) / STRIDE));
  }
  let sq = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0, i = y * a.width + x0; x < x1; x++, i++) {
      const d = a.values[i]! - b.values[i]!;
      sq += d * d;
      n++;
    }
  }
  return n > 0 ? sq / n / 255 : Infinity;
}

/** Keeps a copy of a grid (the caller's buffer is overwritten by the next frame). */
export class GridSnapshot {
  private values = new Float32Array(0);
  grid: LumaGrid | null = null;

  keep(grid: LumaGrid): void {
    const n = grid.width * grid.height;
    if (this.values.length < n) this.values = new Float32Array(n);
    this.values.set(grid.values.subarray(0, n));
    this.grid = { width: grid.width, height: grid.height, values: this.values };
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
