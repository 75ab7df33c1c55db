// Accommodation profiles typed into the exam form, one per line, in the shape the device reads as
// `policy.accommodation` (extra time, breaks, detector profile). Kept apart from the screen so it
// can be tested without a browser.
import type { CallRequest } from '../../src-preload/contract';

type Profiles = NonNullable<CallRequest<'adminSaveExam'>['exam']['accommodationProfiles']>;

/**
 * One profile per line: name | extra time % | breaks × minutes | detectors (e.g. "no_gaze") |
 * allowed apps, comma-separated (e.g. "calc, gnome-calculator": run besides the assistive apps).
 */
export function parseProfileLines(text: string): Profiles {
  return text
    .split('\n')
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .filter(([n]) => n)
    .map(([name, pct, breaks, detectors, apps]) => {
      const allowedApps = (apps ?? '')
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean);
      const [count, minutes] = (breaks ?? '').split(/[x×]/).map((v) => Number(v.trim()));
      return {
        name: name!,
        extraTimePercent: Math.round(Number(pct) || 0),
        ...(count && minutes ? { breaks: { count, maxMinutes: minutes } } : {}),
        ...(detectors ? { detectors } : {}),
        ...(allowedApps.length ? { allowedApps } : {}),
      };
    });
}
