// Serves the built renderer to the browser. Only files under the renderer folder, only GET/HEAD,
// with the same CSP the Electron shell applies.
import fs from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { contentSecurityPolicy } from '../security/csp';
import { allowedHosts } from './authorize';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
};

export function resolveStaticPath(rendererDir: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const root = path.resolve(rendererDir);
  const target = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  if (target !== root && !target.startsWith(root + path.sep)) return undefined;
  return target;
}

export function createStaticHandler(rendererDir: string, port: () => number) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'x-content-type-options': 'nosniff' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!allowedHosts(port()).includes(req.headers.host ?? '')) return send(403, 'Forbidden host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'Method not allowed');
    let file = resolveStaticPath(rendererDir, req.url ?? '/');
    if (!file) return send(400, 'Bad path');
    let stat = await fs.stat(file).catch(() => undefined);
    if (stat?.isDirectory() || (!stat && !path.extname(file))) {
      file = path.join(rendererDir, 'index.html'); // client-side routes
      stat = await fs.stat(file).catch(() => undefined);
      if (!stat) return send(503, 'The renderer is not built. Run `npm run build:renderer` first.');
    }
    if (!stat) return send(404, 'Not found');
    const body = await fs.readFile(file);
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      'content-security-policy': contentSecurityPolicy({ websocketOrigin: `ws://${req.headers.host ?? ''}` }),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': file.endsWith('.html') ? 'no-store' : 'max-age=3600',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
