// Cheap image statistics that tell a covered, dark or blurred camera from a real scene, computed on
// a subsampled luma grid so they cost well under a millisecond per 640×480 frame.
import type { ImageQuality, RawFrame } from './types';

/** Sampling stride in pixels: 2 keeps a 320×240 grid for a 640×480 frame. */
const STRIDE = 2;

/** Reused between frames (one per thread): a fresh grid per frame would only feed the GC. */
let lumaBuffer = new Float32Array(0);

export function imageQuality(frame: RawFrame): ImageQuality {
  const { width, height, channels, data } = frame;
  const gw = Math.floor(width / STRIDE);
  const gh = Math.floor(height / STRIDE);
  if (gw < 3 || gh < 3) return { brightness: 0, contrast: 0, sharpness: 0 };
  if (lumaBuffer.length < gw * gh) lumaBuffer = new Float32Array(gw * gh);
  const luma = lumaBuffer;
  let sum = 0;
  let sumSq = 0;
  for (let gy = 0; gy < gh; gy++) {
    const row = gy * STRIDE * width;
    for (let gx = 0; gx < gw; gx++) {
      const i = (row + gx * STRIDE) * channels;
      const y = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
      luma[gy * gw + gx] = y;
      sum += y;
      sumSq += y * y;
    }
  }
  const n = gw * gh;
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

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
