import { describe, expect, it } from 'vitest';
import type { CheckResult, LockdownEvent, LockdownWarning } from '../../../src-main/lockdown/types';
import { checkToWarning, createViolationTracker } from '../../../src-main/lockdown/violations';
import { scanProcesses } from '../../../src-main/lockdown/process-scan';
import { unavailable } from '../../../src-main/lockdown/check-result';
import { lockdownFixture } from '../../support/lockdown-fixtures';

interface EventsFixture {
  examStart: string;
  examEnd: number;
  maxDisplays: number;
  events: (Omit<LockdownEvent, 'at'> & { at: number })[];
  expectedWarnings: {
    type: string;
    severity: string;
    start: number;
    durationMs: number;
    openAtExamEnd?: boolean;
  }[];
}

function collect() {
  const warnings: LockdownWarning[] = [];
  return { warnings, sink: { emit: (w: LockdownWarning) => warnings.push(w) } };
}

describe('violation tracker', () => {
  it('turns a scripted blur/display/suspend/lock sequence into the expected warnings with durations', () => {
    const fixture = lockdownFixture<EventsFixture>('lockdown-events.json');
    const t0 = Date.parse(fixture.examStart);
    const { warnings, sink } = collect();
    const tracker = createViolationTracker(sink, { maxDisplays: fixture.maxDisplays });
    for (const event of fixture.events) tracker.handle({ ...event, at: t0 + event.at } as LockdownEvent);
    expect(tracker.open()).toEqual(['focus_lost']);
    tracker.finish(t0 + fixture.examEnd);
    expect(tracker.open()).toEqual([]);

    expect(
      warnings.map((w) => ({
        type: w.type,
        severity: w.severity,
        start: Date.parse(w.startedAt) - t0,
        durationMs: w.durationMs,
        ...(w.details.openAtExamEnd ? { openAtExamEnd: true } : {}),
      })),
    ).toEqual(fixture.expectedWarnings);
    for (const w of warnings) {
      expect(Date.parse(w.endedAt!) - Date.parse(w.startedAt)).toBe(w.durationMs);
      expect(w).toMatchObject({ detector: 'lockdown', confidence: 1 });
    }
    expect(warnings[1]?.details).toEqual({ shortcut: 'Control+Shift+I', blocked: true });
    expect(warnings[4]?.details).toMatchObject({
      displayId: '2779098405',
      displayCount: 2,
      removedDisplayId: '2779098405',
    });
  });

  it('ignores repeated blurs, unmatched focus/resume/unlock, and displays within the allowed count', () => {
    const { warnings, sink } = collect();
    const tracker = createViolationTracker(sink, { maxDisplays: 2 });
    tracker.handle({ kind: 'focus', at: 1 });
    tracker.handle({ kind: 'resume', at: 2 });
    tracker.handle({ kind: 'unlock-screen', at: 3 });
    tracker.handle({ kind: 'display-added', at: 4, displayId: 'b', displayCount: 2 });
    tracker.handle({ kind: 'blur', at: 10 });
    tracker.handle({ kind: 'blur', at: 20 });
    tracker.handle({ kind: 'focus', at: 30 });
    expect(warnings.map((w) => [w.type, w.durationMs])).toEqual([['focus_lost', 20]]);
  });

  it('keeps a display interval open until the count is back within policy', () => {
    const { warnings, sink } = collect();
    const tracker = createViolationTracker(sink);
    tracker.handle({ kind: 'display-added', at: 0, displayId: 'b', displayCount: 2 });
    tracker.handle({ kind: 'display-added', at: 5, displayId: 'c', displayCount: 3 });
    tracker.handle({ kind: 'display-removed', at: 10, displayId: 'c', displayCount: 2 });
    expect(warnings).toEqual([]);
    tracker.handle({ kind: 'display-removed', at: 25, displayId: 'b', displayCount: 1 });
    expect(warnings.map((w) => [w.type, w.durationMs, w.severity])).toEqual([['display_added', 25, 'high']]);
  });
});

describe('detector results as warnings', () => {
  it('maps a violation to a warning carrying its evidence and confidence', () => {
    const result = scanProcesses([{ pid: 7, name: 'AnyDesk.exe' }], {
      now: new Date('2026-01-10T09:00:00Z'),
    });
    const warning = checkToWarning(result);
    expect(warning).toMatchObject({
      type: 'blocked_process',
      severity: 'high',
      startedAt: '2026-01-10T09:00:00.000Z',
      endedAt: '2026-01-10T09:00:00.000Z',
      durationMs: 0,
      confidence: 0.9,
      details: { check: 'process_scan', evidence: result.evidence },
    });
  });

  it('maps chat-only findings to medium severity, a pass to nothing, an unavailable check to a warning', () => {
    expect(checkToWarning(scanProcesses([{ pid: 7, name: 'Discord.exe' }]))?.severity).toBe('medium');
    expect(checkToWarning(scanProcesses([{ pid: 7, name: 'code' }]))).toBeUndefined();
    const missing: CheckResult = unavailable('virtual_machine', 'systeminformation timed out');
    expect(checkToWarning(missing)).toMatchObject({
      type: 'check_unavailable',
      severity: 'medium',
      details: { check: 'virtual_machine', reason: 'systeminformation timed out' },
    });
  });
});
