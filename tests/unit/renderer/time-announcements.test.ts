// The countdown announcements a screen-reader user hears (issue 20 item 5): each five minutes, the
// last minute, 30 and 10 seconds — never each second.
import { describe, expect, it } from 'vitest';
import { timeAnnouncement } from '../../../src-renderer/candidate/time-announcements';

/** Every announcement of a countdown read every 250 ms, as the interview screen does. */
function announcementsOver(totalMs: number): string[] {
  const said: string[] = [];
  let previous = totalMs;
  for (let left = totalMs - 250; left > 0; left -= 250) {
    const text = timeAnnouncement(previous, left, 'this question');
    if (text) said.push(text);
    previous = left;
  }
  return said;
}

describe('countdown announcements', () => {
  it('a 12-minute question: 10 and 5 minutes, 1 minute, 30 and 10 seconds', () => {
    expect(announcementsOver(12 * 60_000)).toEqual([
      '10 minutes left for this question.',
      '5 minutes left for this question.',
      '1 minute left for this question.',
      '30 seconds left for this question.',
      '10 seconds left for this question.',
    ]);
  });

  it('a 2-minute question: the last minute only, not its start', () => {
    expect(announcementsOver(2 * 60_000)).toEqual([
      '1 minute left for this question.',
      '30 seconds left for this question.',
      '10 seconds left for this question.',
    ]);
  });

  it('a reading that jumps (a slow tick) still announces the mark it crossed, once', () => {
    expect(timeAnnouncement(61_000, 58_000, 'your break')).toBe('1 minute left for your break.');
    expect(timeAnnouncement(58_000, 57_000, 'your break')).toBeUndefined();
    expect(timeAnnouncement(5_000, 6_000, 'your break')).toBeUndefined();
  });
});
