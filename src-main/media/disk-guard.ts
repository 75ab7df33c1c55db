// Disk-space policy of a recording: enough room before it starts (segments plus the merged copy at
// the requested bitrate, plus the reserve), a warning when about five minutes of room remain, and a
// clean stop while there is still room for the recorder's last chunk and the reserve.

export interface GuardInput {
  freeBytes: number;
  reserveBytes: number;
  bytesPerSecond: number;
  /** Largest chunk seen so far in this recording. */
  largestChunkBytes: number;
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
  return input.reserveBytes + 3 * Math.max(input.largestChunkBytes, input.bytesPerSecond * 2);
}

export function warnThreshold(input: Omit<GuardInput, 'freeBytes'>): number {
  return stopThreshold(input) + input.bytesPerSecond * 300;
}

export function assessDisk(input: GuardInput): 'ok' | 'warning' | 'stop' {
  if (input.freeBytes <= stopThreshold(input)) return 'stop';
  if (input.freeBytes <= warnThreshold(input)) return 'warning';
  return 'ok';
}
