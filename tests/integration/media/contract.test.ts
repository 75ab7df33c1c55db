// The media calls through the real dispatcher: a chunk larger than the call allows is refused before
// any handler runs, a malformed one fails its schema, and typed media errors reach the renderer.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MEDIA_CHUNK_BYTES } from '../../../src-preload/contract';
import { createApp, type VigilApp } from '../../../src-main/app/create-app';
import { loadConfig } from '../../../src-main/config/load';
import { buildLogger } from '../../../src-main/log/logger';
import { tempDir } from '../../support/media/fixtures';

let root: string;
let app: VigilApp;
const ctx = { transport: 'host' as const, origin: 'test' };

beforeAll(() => {
  root = tempDir('media-contract');
  const loaded = loadConfig({
    env: { VIGIL_DATA_DIR: root },
    policyFile: path.join(root, 'none.json'),
    userFile: path.join(root, 'none-settings.json'),
  });
  app = createApp({ loaded, logger: buildLogger('silent'), mode: 'host' });
});
afterAll(async () => {
  await app.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('media contract calls', () => {
  it('refuses an oversized chunk and a malformed one, and returns typed errors', async () => {
    const big = new Uint8Array(MAX_MEDIA_CHUNK_BYTES + 1);
    const tooLarge = await app.dispatcher.dispatch(
      'mediaAppendChunk',
      { recordingId: 'rec_x', segment: 0, seq: 0, elapsedMs: 2000, bytes: big },
      ctx,
    );
    expect(tooLarge).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });

    const malformed = await app.dispatcher.dispatch(
      'mediaAppendChunk',
      { recordingId: 'rec_x', segment: 0, seq: 0, elapsedMs: 2000, bytes: 'not bytes' },
      ctx,
    );
    expect(malformed).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });

    const unknown = await app.dispatcher.dispatch(
      'mediaAppendChunk',
      { recordingId: 'rec_missing', segment: 0, seq: 0, elapsedMs: 2000, bytes: new Uint8Array(10) },
      ctx,
    );
    // No session in progress: no recording of this device takes chunks (the current session's own
    // recording only: recording-session.test.ts).
    expect(unknown).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    // With no exam session in progress main has nothing to file a recording under (the disk check
    // with a session: recording-session.test.ts).
    const noSession = await app.dispatcher.dispatch(
      'mediaStart',
      { mimeType: 'video/webm', expectedDurationS: 60 },
      ctx,
    );
    expect(noSession).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });
});
