// The app:// protocol that serves the built renderer inside Electron instead of file://: a fixed
// host, an allow-list of file types, no path escapes, and the CSP on every document.
import fs from 'node:fs/promises';
import path from 'node:path';
import { contentSecurityPolicy } from '../security/csp';
import { resolveStaticPath } from '../host/static-files';

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

export function createAppProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST)
      return new Response('Forbidden', { status: 403 });
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
