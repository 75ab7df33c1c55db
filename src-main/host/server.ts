// The headless host: serves the built renderer and the contract over a loopback WebSocket, guarded
// by a per-run token, the page's origin and the peer's address; each connection is served only the
// calls and events of the window it declared. Used by the demo, end-to-end tests
// and browser development; it drives the same composition root as the Electron shell.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { isWindowEvent, type WindowKind } from '../../src-preload/contract-windows';
import type { ServerMessage } from '../../src-preload/wire';
import { decodeWire, encodeWire } from '../../src-preload/wire';
import type { VigilApp } from '../app/create-app';
import type { Logger } from '../log/logger';
import { dispatcherForWindow } from '../rpc/dispatcher';
import { isBlobRoute } from '../review/blob-route';
import { authorizeUpgrade } from './authorize';
import { handleBlobRequest } from './blob-files';
import { createStaticHandler } from './static-files';

export const CONTRACT_PATH = '/vigil';
/**
 * Hard cap on one WebSocket message; per-call limits in the contract are checked below it. Session
 * files never travel here (the page loads them from /review-blob/ with Range requests).
 */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface HostOptions {
  app: VigilApp;
  rendererDir: string;
  logger: Logger;
  port?: number;
  token?: string;
}

export interface RunningHost {
  /** Page URL with the token in its fragment: open it in a browser. */
  url: string;
  origin: string;
  wsUrl: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  let port = 0;
  const server = http.createServer((req, res) => {
    const handled = isBlobRoute(req.url ?? '/')
      ? handleBlobRequest(req, res, {
          port,
          review: () => options.app.context.console.signedInReview,
          logger: options.logger,
        })
      : createStaticHandler(options.rendererDir, () => port)(req, res);
    handled.catch((error: unknown) => {
      options.logger.error({ err: error }, 'static file failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  /** Each connection with the window it declared at connect time. */
  const clients = new Map<WebSocket, WindowKind>();
  const windowOfRequest = new WeakMap<http.IncomingMessage, WindowKind>();

  server.on('upgrade', (req, socket, head) => {
    const decision = authorizeUpgrade(
      {
        remoteAddress: req.socket.remoteAddress,
        origin: req.headers.origin,
        host: req.headers.host,
        url: req.url,
      },
      { port, token, path: CONTRACT_PATH },
    );
    if (!decision.ok) {
      options.logger.warn({ reason: decision.reason }, 'refused a contract connection');
      socket.end(
        `HTTP/1.1 ${decision.status} ${http.STATUS_CODES[decision.status]}\r\nConnection: close\r\n\r\n`,
      );
      return;
    }
    windowOfRequest.set(req, decision.window);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket, req: http.IncomingMessage) => {
    const window = windowOfRequest.get(req);
    if (!window) {
      ws.terminate();
      return;
    }
    clients.set(ws, window);
    const dispatcher = dispatcherForWindow(options.app.dispatcher, window);
    const origin = req.headers.origin ?? '';
    const send = (message: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(encodeWire(message));
    };
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      void (async () => {
        let message: unknown;
        try {
          if (isBinary) throw new Error('binary frames are not part of the protocol');
          message = decodeWire(data.toString('utf8'));
        } catch {
          send({
            id: 0,
            result: { ok: false, error: { code: 'BAD_REQUEST', message: 'Message is not valid JSON.' } },
          });
          return;
        }
        const { id, call, request } = (message ?? {}) as { id?: unknown; call?: unknown; request?: unknown };
        if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
          send({
            id: 0,
            result: { ok: false, error: { code: 'BAD_REQUEST', message: 'Message has no valid id.' } },
          });
          return;
        }
        const result = await dispatcher.dispatch(call, request, { transport: 'host', origin }, data.length);
        send({ id, result });
      })();
    });
    ws.on('close', () => clients.delete(ws));
    ws.on('error', (error) => options.logger.warn({ err: error }, 'contract socket error'));
  });

  const detach = options.app.events.attach((event, payload) => {
    const text = encodeWire({ event, payload } satisfies ServerMessage);
    for (const [ws, window] of clients)
      if (isWindowEvent(window, event) && ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  options.logger.info({ port }, 'host listening');

  return {
    url: `${origin}/#token=${token}`,
    origin,
    wsUrl: `ws://127.0.0.1:${port}${CONTRACT_PATH}`,
    token,
    port,
    close: async () => {
      detach();
      for (const ws of clients.keys()) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
