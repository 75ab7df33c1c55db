// Serves the console's session files on the host's loopback HTTP server (GET /review-blob/…), with
// Range support, from the same route the Electron shell's app:// protocol answers. A read streams
// from PostgreSQL with backpressure and stops when the browser drops the connection (it does so
// whenever the `<video>` element seeks elsewhere), so memory stays bounded whatever the file's size.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../log/logger';
import { serveBlob } from '../review/blob-route';
import type { ReviewService } from '../review/review-service';
import { allowedHosts, isLoopbackAddress } from './authorize';

export async function handleBlobRequest(
  req: IncomingMessage,
  res: ServerResponse,
  options: { port: number; review: () => ReviewService | undefined; logger: Logger },
): Promise<void> {
  if (
    !isLoopbackAddress(req.socket.remoteAddress) ||
    !allowedHosts(options.port).includes(req.headers.host ?? '')
  ) {
    res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Forbidden');
    return;
  }
  const answer = await serveBlob(options.review(), {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    range: req.headers.range,
  });
  res.writeHead(answer.status, answer.headers);
  if (!answer.body) {
    res.end();
    return;
  }
  try {
    await pipeline(Readable.from(answer.body, { objectMode: false }), res);
  } catch (error) {
    // The browser cancelling a range it no longer needs is normal; anything else is worth a line.
    const code = (error as { code?: string }).code;
    if (code !== 'ERR_STREAM_PREMATURE_CLOSE')
      options.logger.warn({ err: error }, 'a console file stopped mid-way');
  }
}
