// Inside Electron the console's `<video>` loads app://vigil/review-blob/…: the app:// protocol hands
// the request (Range header included) to the same route as the headless host and streams its answer.
import { describe, expect, it } from 'vitest';
import type { BlobRequest } from '../../../src-main/review/blob-route';
import { APP_ORIGIN, createAppProtocolHandler } from '../../../src-main/shell/app-protocol';

describe('app:// review files', () => {
  it('passes method, path, key and Range to the blob route and streams its 206 answer', async () => {
    const seen: BlobRequest[] = [];
    const handler = createAppProtocolHandler('/nonexistent-renderer', async (request) => {
      seen.push(request);
      return {
        status: 206,
        headers: { 'content-type': 'video/webm', 'content-range': 'bytes 10-14/100' },
        body: (async function* () {
          yield Buffer.from('ab');
          yield Buffer.from('cde');
        })(),
      };
    });
    const sha = 'a'.repeat(64);
    const res = await handler(
      new Request(`${APP_ORIGIN}/review-blob/${sha}?key=k1`, { headers: { range: 'bytes=10-14' } }),
    );
    expect(seen).toEqual([{ method: 'GET', url: `/review-blob/${sha}?key=k1`, range: 'bytes=10-14' }]);
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 10-14/100');
    expect(await res.text()).toBe('abcde');
    // Renderer files are still served only from the renderer folder.
    expect((await handler(new Request(`${APP_ORIGIN}/index.html`))).status).toBe(404);
  });
});
