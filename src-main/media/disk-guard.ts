// Disk-space policy of a recording: enough room before it starts (segments plus the merged copy at
// the requested bitrate, plus the reserve); while recording, a clean stop while there is still room
// for the recorder's last chunks, the merged copy of everything recorded so far and the reserve,
// and a warning when about five minutes of recording remain before that point.

export interface GuardInput {
  freeBytes: number;
  reserveBytes: number;
  bytesPerSecond: number;
  /** Largest chunk seen so far in this recording. */
  largestChunkBytes: number;
  /** Bytes recorded so far: the merge will need about as much again. */
  recordedBytes: number;
}

export function bytesNeededToStart(
  expectedDurationS: number,
  bytesPerSecond: number,
  reserveBytes: number,
): number {
  // Segments and the merged file each take about the recorded size; 10 % for container overhead.
  return Math.ceil(expectedDurationS * bytesPerSecond * 2 * 1.1) + reserveBytes;
}

export function stopThreshold(input: Omit<GuardInput, 'freeBytes'>): number {
  const lastChunks = 3 * Math.max(input.largestChunkBytes, input.bytesPerSecond * 2);
  return input.reserveBytes + Math.ceil(input.recordedBytes * 1.1) + lastChunks;
}

export function warnThreshold(input: Omit<GuardInput, 'freeBytes'>): number {
  // Five minutes more recording costs its segments and their merged copy.
  return stopThreshold(input) + input.bytesPerSecond * 300 * 2;
}

export function assessDisk(input: GuardInput): 'ok' | 'warning' | 'stop' {
  if (input.freeBytes <= stopThreshold(input)) return 'stop';
  if (input.freeBytes <= warnThreshold(input)) return 'warning';
  return 'ok';
}
