import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileLogger } from '../../../src-main/log/logger';
import { makeTempDir, memoryLogger } from '../../support/app';

let dir: string | undefined;
afterEach(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

describe('logging', () => {
  it('never writes secrets or tokens', () => {
    const lines: string[] = [];
    const log = memoryLogger(lines);
    const token = 'tok_9f8e7d6c5b4a3210';
    log.info({ deviceToken: token, nested: { apiKey: 'sk-live-123456', password: 'hunter2' } }, 'enrolled');
    log.info({ url: 'postgres://vigil_device:pa55word@db.example:5432/vigil' }, 'connecting');
    log.warn(`refused ws://127.0.0.1:9/vigil?token=${token}`);
    log.info({ headers: { authorization: 'Bearer abc.def.ghi' } }, 'request');
    log.error({ err: new Error(`bad token=${token}`) }, 'failed');
    const text = lines.join('\n');
    for (const secret of [token, 'sk-live-123456', 'hunter2', 'pa55word', 'abc.def.ghi']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
    expect(text).toContain('db.example:5432');
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it('writes structured lines to rotating files in the data folder', async () => {
    dir = makeTempDir('vigil-logs-');
    const files = await createFileLogger({ dir, level: 'info', maxFileMb: 1, maxFiles: 2 });
    const filler = 'x'.repeat(1000);
    // Lines arrive over time as in a running app (rotation happens between writes, not mid-burst).
    for (let batch = 0; batch < 35; batch++) {
      for (let j = 0; j < 100; j++) files.logger.info({ i: batch * 100 + j, filler }, 'line');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await files.close();
    const logs = fs.readdirSync(dir).filter((f) => f.endsWith('.log'));
    expect(logs.length).toBeGreaterThanOrEqual(2);
    expect(logs.length).toBeLessThanOrEqual(3);
    for (const file of logs) {
      expect(fs.statSync(path.join(dir, file)).size).toBeLessThan(1.2 * 1024 * 1024);
    }
    const newest = logs
      .map((f) => path.join(dir!, f))
      .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0]!;
    const last = fs.readFileSync(newest, 'utf8').trim().split('\n').pop()!;
    expect(JSON.parse(last)).toMatchObject({ msg: 'line', i: 3499, app: 'vigil' });
  });
});

describe('redaction of handed-out codes', () => {
  it('hides enrollment and start codes, keeps error codes and UUIDs', () => {
    const lines: string[] = [];
    const log = memoryLogger(lines);
    log.info({ request: { code: 'k7qd 9wxm 4pzt' }, startCode: 'ABCDEFGH1234' }, 'enroll');
    log.warn('redeeming R8TB-3VHN-2CJ6 failed');
    log.error({ err: { code: 'ECONNREFUSED' }, sessionId: '1234ABCD-5678-9ABC-DEF0-123456789ABC' }, 'sync');
    const text = lines.join('\n');
    for (const code of ['k7qd 9wxm 4pzt', 'ABCDEFGH1234', 'R8TB-3VHN-2CJ6']) expect(text).not.toContain(code);
    expect(text).toContain('ECONNREFUSED');
    expect(text).toContain('1234ABCD-5678-9ABC-DEF0-123456789ABC');
  });
});
