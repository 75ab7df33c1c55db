// Compares two face-description vectors. Cosine similarity: 1 = same direction; the policy's
// `faceMismatch.minSimilarity` is calibrated on the fixtures (same person ≈ 0.9, other ≈ 0.3).
export function faceSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  if (na === 0 || nb === 0) return 0;
  return Math.round((dot / Math.sqrt(na * nb)) * 1000) / 1000;
}
