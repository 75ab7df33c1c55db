// What the screen reader hears of a countdown. The visible timer ticks every second and is not a
// live region (role="timer" is off by default): announcing each second would drown the question.
// Instead a polite live region says the time left at each whole five minutes, at one minute, and at
// 30 and 10 seconds — the moments a sighted candidate glances at the clock for.

const MINUTE = 60_000;
const MARKS_MS = [30_000, 10_000];

function phrase(ms: number): string {
  if (ms >= MINUTE) {
    const minutes = Math.round(ms / MINUTE);
    return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  }
  return `${Math.round(ms / 1000)} seconds`;
}

/** The mark crossed between two readings of the time left (ms), if any; the largest one wins. */
export function crossedMark(previousMs: number, leftMs: number): number | undefined {
  if (!(previousMs > leftMs) || leftMs <= 0) return undefined;
  const marks: number[] = [];
  // Each whole five minutes, and the last minute.
  for (let m = Math.floor(previousMs / (5 * MINUTE)) * 5 * MINUTE; m >= 5 * MINUTE; m -= 5 * MINUTE)
    marks.push(m);
  marks.push(MINUTE, ...MARKS_MS);
  return marks.find((mark) => previousMs > mark && leftMs <= mark);
}

/**
 * The announcement for a countdown reading, or undefined. `what` names the countdown: "this
 * question", "your break".
 */
export function timeAnnouncement(previousMs: number, leftMs: number, what: string): string | undefined {
  const mark = crossedMark(previousMs, leftMs);
  return mark === undefined ? undefined : `${phrase(mark)} left for ${what}.`;
}
