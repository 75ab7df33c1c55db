// `vigil analyze` text output and exit status: faces with box, score and pose per image; a missing
// file is reported, the others are still analysed, and the exit status is 1.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../support/proctoring/scenes';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('vigil analyze (text)', () => {
  it('prints faces per image, reports a missing file and exits 1', { timeout: 120_000 }, async () => {
    const missing = path.join(ROOT, 'no-such-photo.jpg');
    const error = (await run(
      process.execPath,
      ['bin/vigil.mjs', 'analyze', fixture('camera.jpg'), missing, fixture('chelsea.jpg')],
      {
        cwd: ROOT,
      },
    ).catch((e: unknown) => e)) as { code: number; stdout: string };
    expect(error.code).toBe(1);
    const lines = error.stdout.trim().split('\n');
    expect(lines[0]).toBe(`${fixture('camera.jpg')}: 1 face`);
    expect(lines[1]).toMatch(
      /^ {2}#1 box \[\d+, \d+, \d+, \d+\] score \d\.\d\d yaw -?\d+(\.\d)?° pitch -?[\d.]+° roll -?[\d.]+°$/,
    );
    expect(lines[2]).toBe(`${missing}: error: file not found: ${missing}`);
    expect(lines[3]).toBe(`${fixture('chelsea.jpg')}: 0 faces`);
  });
});
