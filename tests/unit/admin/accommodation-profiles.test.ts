// The admin's accommodation profile and the device's `policy.accommodation` are one shape: whatever
// the admin can save, the device reads back unchanged (and what it cannot read, the admin cannot save).
import { describe, expect, it } from 'vitest';
import { AccommodationProfileSchema } from '../../../src-preload/contract-console';
import { parseProfileLines } from '../../../src-renderer/admin/profiles';
import { accommodationOf } from '../../../src-main/session/exam-options';

describe('accommodation profile shape', () => {
  it('reads what the admin saves as the device will apply it', () => {
    const saved = AccommodationProfileSchema.parse({
      name: 'extra time 50%',
      extraTimePercent: 50,
      breaks: { count: 1, maxMinutes: 5 },
      detectors: 'no_gaze',
      allowedApps: ['calc', 'gnome-calculator'],
      notes: 'for the admins only',
    });
    expect(accommodationOf({ accommodation: saved })).toEqual({
      name: 'extra time 50%',
      extraTimePercent: 50,
      breaks: { count: 1, maxMinutes: 5 },
      detectors: 'no_gaze',
      allowedApps: ['calc', 'gnome-calculator'],
    });
    // A profile that only names itself is standard timing.
    expect(
      accommodationOf({ accommodation: AccommodationProfileSchema.parse({ name: 'quiet room' }) }),
    ).toEqual({
      name: 'quiet room',
      extraTimePercent: 0,
      breaks: null,
      detectors: undefined,
      allowedApps: [],
    });
  });

  it('refuses at save time what the device would refuse', () => {
    for (const bad of [
      { name: 'x', extraTimePercent: 301 },
      { name: 'x', extraTimePercent: 12.5 },
      { name: 'x', breaks: { count: 0, maxMinutes: 5 } },
      { name: '' },
      { name: 'x', extra: true },
      { name: 'x', allowedApps: [''] },
    ]) {
      expect(AccommodationProfileSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('parses the exam form lines: name | extra time % | breaks × minutes | detectors', () => {
    expect(
      parseProfileLines(
        'extra time 50% | 50 | 1x5 | no_gaze | calc, gnome-calculator\nquiet room\n\n interpreter | 0 | | interpreter_present',
      ),
    ).toEqual([
      {
        name: 'extra time 50%',
        extraTimePercent: 50,
        breaks: { count: 1, maxMinutes: 5 },
        detectors: 'no_gaze',
        allowedApps: ['calc', 'gnome-calculator'],
      },
      { name: 'quiet room', extraTimePercent: 0 },
      { name: 'interpreter', extraTimePercent: 0, detectors: 'interpreter_present' },
    ]);
  });
});
