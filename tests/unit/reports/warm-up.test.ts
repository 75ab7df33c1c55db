// The warm-up the app runs while idle must itself render a complete (valid) report, so a broken
// sample input would fail here rather than silently in production.
import { describe, expect, it } from 'vitest';
import { warmUpReportRenderer } from '../../../src-main/reports/warm-up';

describe('warmUpReportRenderer', () => {
  it('renders its sample report and reports the time taken', async () => {
    const ms = await warmUpReportRenderer();
    expect(ms).toBeGreaterThan(0);
  });
});
