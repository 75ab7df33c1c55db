// The second interview API is gone: its calls (which wrote files under a renderer-chosen session id
// and spent AI tokens) are not in the contract and the composition root answers them as unknown.
// The candidate's interview runs only through the candidate calls (tests/e2e/candidate-*.test.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type VigilApp } from '../../../src-main/app/create-app';
import { loadConfig } from '../../../src-main/config/load';
import { silentLogger } from '../../../src-main/log/logger';
import { calls } from '../../../src-preload/contract';

const removed = [
  'startInterview',
  'getInterviewState',
  'saveAnswerDraft',
  'submitAnswer',
  'submitSpokenAnswer',
  'endInterview',
  'uploadDocument',
  'createJobListingFromText',
  'generateQuestions',
  'getEvaluation',
  'getTokenUsage',
];

let dir: string;
let app: VigilApp;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-removed-'));
  const loaded = loadConfig({
    env: { VIGIL_DATA_DIR: dir },
    policyFile: path.join(dir, 'none.json'),
    userFile: path.join(dir, 'none-user.json'),
  });
  app = createApp({ loaded, logger: silentLogger(), mode: 'host' });
});
afterAll(async () => {
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the second interview API', () => {
  it('is not part of the contract', () => {
    for (const name of removed) expect(Object.keys(calls)).not.toContain(name);
  });

  it('is refused as an unknown call, and writes nothing under the requested session id', async () => {
    for (const name of removed) {
      const result = await app.dispatcher.dispatch(
        name,
        {
          sessionId: 'renderer-chosen',
          questionId: 'q',
          mimeType: 'audio/webm',
          audioBase64: Buffer.from('x').toString('base64'),
        },
        { transport: 'host', origin: 'test' },
      );
      expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CALL' } });
    }
    expect(fs.existsSync(path.join(dir, 'answers', 'renderer-chosen'))).toBe(false);
  });
});
