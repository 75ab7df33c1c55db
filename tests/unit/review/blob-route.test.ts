// The Range header as the console's `<video>` element sends it: plain, open-ended (answered with at
// most 8 MiB, so a seek elsewhere leaves no long stream behind), suffix, past the end, or several.
import { describe, expect, it } from 'vitest';
import { MAX_OPEN_RANGE_BYTES, parseRange } from '../../../src-main/review/blob-route';

const SIZE = 1_462_416_640; // a 3-hour recording

describe('parseRange', () => {
  it('reads the ranges a video element asks for', () => {
    expect(parseRange('bytes=100-199', SIZE)).toEqual({ start: 100, end: 200 });
    expect(parseRange('bytes=731000000-', SIZE)).toEqual({
      start: 731_000_000,
      end: 731_000_000 + MAX_OPEN_RANGE_BYTES,
    });
    expect(parseRange(`bytes=${SIZE - 10}-`, SIZE)).toEqual({ start: SIZE - 10, end: SIZE });
    expect(parseRange('bytes=-1000', SIZE)).toEqual({ start: SIZE - 1000, end: SIZE });
    expect(parseRange(`bytes=5-${SIZE * 2}`, SIZE)).toEqual({ start: 5, end: SIZE });
  });

  it('refuses ranges outside the file and serves the whole file for anything else', () => {
    expect(parseRange(`bytes=${SIZE}-`, SIZE)).toBe('unsatisfiable');
    expect(parseRange('bytes=10-5', SIZE)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', SIZE)).toBe('unsatisfiable');
    expect(parseRange(undefined, SIZE)).toBeNull();
    expect(parseRange('bytes=0-1,5-9', SIZE)).toBeNull();
    expect(parseRange('items=0-1', SIZE)).toBeNull();
  });
});
