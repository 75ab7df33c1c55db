// Canonical JSON for the event hash chain: object keys sorted, no whitespace, undefined dropped.
// The server hashes the exact body string it receives, so this only has to be deterministic here.
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalise(value));
}

function normalise(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TypeError('canonical JSON cannot hold NaN or Infinity');
    }
    if (typeof value === 'bigint') throw new TypeError('canonical JSON cannot hold bigint');
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : normalise(v)));
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = normalise(v);
  }
  return out;
}
