// How independent pieces of evidence combine into one confidence. Evidence from the same source
// group (say, three DMI strings that all say "VMware") is not independent, so only the strongest
// counts per group; groups combine as a noisy-OR.
import type { Evidence } from './types';

export function combineConfidence(evidence: readonly Evidence[], groupOf: (e: Evidence) => string): number {
  const strongest = new Map<string, number>();
  for (const item of evidence) {
    const group = groupOf(item);
    strongest.set(group, Math.max(strongest.get(group) ?? 0, clamp01(item.weight)));
  }
  let miss = 1;
  for (const weight of strongest.values()) miss *= 1 - weight;
  return round3(1 - miss);
}

export function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
