// Multiple-display check: a second screen lets a helper read the exam or the candidate read notes.
// Input is the display list from Electron's screen module (or systeminformation's graphics()).
import { unavailable, verdict } from './check-result';
import type { CheckResult, Evidence } from './types';

export interface DisplayInfo {
  id: string;
  label?: string;
  internal?: boolean;
  bounds?: { x: number; y: number; width: number; height: number };
}

export function checkDisplays(
  displays: readonly DisplayInfo[] | undefined,
  maxDisplays = 1,
  now: Date = new Date(),
): CheckResult {
  if (!displays) return unavailable('displays', 'the display list was not provided', now);
  if (displays.length === 0) return unavailable('displays', 'the system reported no display at all', now);
  const extra = displays.length > maxDisplays;
  const evidence: Evidence[] = extra
    ? displays.map((d, index) => ({
        source: `displays[${index}]`,
        value: `${d.label ?? d.id}${d.internal ? ' (built-in)' : ''}${
          d.bounds ? ` ${d.bounds.width}x${d.bounds.height}@${d.bounds.x},${d.bounds.y}` : ''
        }`,
        matched: `more than ${maxDisplays} display(s) allowed`,
        weight: 1,
      }))
    : [];
  return verdict(
    'displays',
    extra,
    extra ? 1 : 0,
    evidence,
    extra
      ? `${displays.length} displays connected; ${maxDisplays} allowed`
      : `${displays.length} display(s) connected`,
    { displayCount: displays.length, maxDisplays },
    now,
  );
}
