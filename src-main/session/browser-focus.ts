// Focus loss in the browser host, where no desktop shell watches the exam window: the page reports
// blur/hidden and focus/visible, main times them on its own clock and turns them into focus_lost
// warnings with the same rules (durations, severities) as the shell's window events, through the
// same lockdown hub the session's proctor listens to.
import { examLockdownPort, lockdownWarningHub } from '../lockdown/port';
import { createViolationTracker, type ViolationTracker } from '../lockdown/violations';

/** A tracker whose warnings say they came from the page, not from a locked-down window. */
export function browserFocusTracker(): ViolationTracker {
  return createViolationTracker({
    emit: (warning) =>
      lockdownWarningHub.emit({
        ...warning,
        details: { ...warning.details, source: 'browser page (blur or hidden)' },
      }),
  });
}

/**
 * Whether the page's own report is the focus evidence: with the desktop lockdown active its window
 * events are, and the page's report would count the same loss twice.
 */
export function pageReportsFocus(): boolean {
  return !examLockdownPort()?.active;
}
