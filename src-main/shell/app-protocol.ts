// The app:// protocol that serves the built renderer inside Electron instead of file://: a fixed
// host, an allow-list of file types, no path escapes, and the CSP on every document. The console's
// session files (app://vigil/review-blob/…) are answered by the same route as the headless host's,
// Range requests included (the scheme is registered with `stream: true` so `<video>` can seek).
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { contentSecurityPolicy } from '../security/csp';
import { resolveStaticPath } from '../host/static-files';
import { isBlobRoute, type BlobRequest, type BlobResponse } from '../review/blob-route';

export const APP_SCHEME = 'app';
export const APP_HOST = 'vigil';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

const ALLOWED_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

export type BlobServer = (request: BlobRequest) => Promise<BlobResponse>;

function blobResponse(answer: BlobResponse): Response {
  const body = answer.body
    ? (Readable.toWeb(Readable.from(answer.body)) as ReadableStream<Uint8Array>)
    : null;
  return new Response(body, { status: answer.status, headers: answer.headers });
}

export function createAppProtocolHandler(
  rendererDir: string,
  blobs?: BlobServer,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST)
      return new Response('Forbidden', { status: 403 });
    if (blobs && isBlobRoute(url.pathname)) {
      const range = request.headers.get('range');
      return blobResponse(
        await blobs({ method: request.method, url: url.pathname + url.search, range: range ?? undefined }),
      );
    }
    if (request.method !== 'GET') return new Response('Method not allowed', { status: 405 });
    const file = resolveStaticPath(rendererDir, url.pathname === '/' ? '/index.html' : url.pathname);
    const type = file ? ALLOWED_TYPES[path.extname(file)] : undefined;
    if (!file || !type) return new Response('Not found', { status: 404 });
    const body = await fs.readFile(file).catch(() => undefined);
    if (!body) return new Response('Not found', { status: 404 });
    return new Response(new Uint8Array(body), {
      status: 200,
      headers: {
        'content-type': type,
        'content-security-policy': contentSecurityPolicy(),
        'x-content-type-options': 'nosniff',
      },
    });
  };
}
