// Approximate size in bytes of a decoded request, to refuse oversized payloads on transports
// (Electron IPC) that do not hand us the raw byte length.
export function estimatePayloadBytes(value: unknown, limit: number): number {
  let total = 0;
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length > 0 && total <= limit) {
    const item = stack.pop();
    if (item === null || item === undefined) total += 4;
    else if (typeof item === 'string') total += item.length * 2;
    else if (typeof item === 'number' || typeof item === 'boolean' || typeof item === 'bigint') total += 8;
    else if (ArrayBuffer.isView(item)) total += item.byteLength;
    else if (item instanceof ArrayBuffer) total += item.byteLength;
    else if (typeof item === 'object') {
      if (seen.has(item)) continue;
      seen.add(item);
      for (const [key, child] of Object.entries(item)) {
        total += key.length * 2;
        stack.push(child);
      }
    }
  }
  return total;
}
