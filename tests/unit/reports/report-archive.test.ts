// The report archive keeps every version of a session's report: regeneration adds a version,
// never replaces one, detects tampering, and survives a crash that left a file without an index.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VigilError } from '../../../src-main/errors';
import { ReportArchive } from '../../../src-main/reports/report-archive';

let dir: string;
let archive: ReportArchive;
const meta = (version: number, reason = 'session_end') => ({
  version,
  reportId: `VR-S1-v${version}`,
  createdAt: `2026-11-2${version}T10:00:00.000Z`,
  reason,
});

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-archive-'));
  archive = new ReportArchive(dir);
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('ReportArchive', () => {
  it('keeps earlier versions listed when a new one is added', async () => {
    expect(await archive.list('s1')).toEqual([]);
    expect(await archive.nextVersion('s1')).toBe(1);
    await archive.add('s1', Buffer.from('%PDF first'), meta(1));
    await archive.add('s1', Buffer.from('%PDF second'), meta(2, 'decision'));
    const list = await archive.list('s1');
    expect(list.map((e) => [e.version, e.reportId, e.reason])).toEqual([
      [1, 'VR-S1-v1', 'session_end'],
      [2, 'VR-S1-v2', 'decision'],
    ]);
    expect(list[0]!.bytes).toBe(10);
    expect(list[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await archive.read('s1', 1)).toString()).toBe('%PDF first');
    expect((await archive.read('s1', 2)).toString()).toBe('%PDF second');
    expect(await archive.nextVersion('s1')).toBe(3);
    // Other sessions are separate.
    expect(await archive.list('s2')).toEqual([]);
  });

  it('refuses to overwrite a version', async () => {
    await archive.add('s1', Buffer.from('%PDF first'), meta(1));
    const error = await archive.add('s1', Buffer.from('%PDF again'), meta(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('CONFLICT');
    expect((await archive.read('s1', 1)).toString()).toBe('%PDF first');
  });

  it('detects a stored version altered on disk', async () => {
    await archive.add('s1', Buffer.from('%PDF first'), meta(1));
    await fs.writeFile(path.join(dir, 's1', 'v0001.pdf'), '%PDF forged');
    const error = await archive.read('s1', 1).catch((e: unknown) => e);
    expect((error as VigilError).code).toBe('CONFLICT');
    expect((await archive.read('s1', 5).catch((e: unknown) => e)) as VigilError).toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('skips past a version file left without an index entry by a crash', async () => {
    await archive.add('s1', Buffer.from('%PDF first'), meta(1));
    await fs.writeFile(path.join(dir, 's1', 'v0002.pdf'), '%PDF half-writ');
    expect(await archive.nextVersion('s1')).toBe(3);
    expect((await archive.list('s1')).map((e) => e.version)).toEqual([1]);
  });

  it('refuses session ids that could escape the folder', async () => {
    for (const bad of ['../etc', 'a/b', '', '.hidden']) {
      const error = await archive.list(bad).catch((e: unknown) => e);
      expect((error as VigilError).code, bad).toBe('BAD_REQUEST');
    }
  });
});
