// The console page's one way to load a session file: GET /review-blob/<sha256>?key=… with HTTP Range
// support, so the `<video>` element seeks inside a 3-hour recording by asking for the bytes around
// the new position. Transport-neutral: the headless host's HTTP server and the Electron shell's
// app:// protocol both answer with what this returns, from ReviewService.blob's chunk-range reads.
import { isVigilError } from '../errors';
import { BLOB_ROUTE, type ReviewService } from './review-service';

export interface BlobRequest {
  method: string;
  /** Path and query, e.g. `/review-blob/<sha>?key=…`. */
  url: string;
  range: string | undefined;
}

export interface BlobResponse {
  status: 200 | 206 | 400 | 403 | 404 | 405 | 416 | 500;
  headers: Record<string, string>;
  body?: AsyncIterable<Buffer>;
}

export function isBlobRoute(url: string): boolean {
  return url.startsWith(BLOB_ROUTE);
}

/**
 * The most one open-ended request (`bytes=a-`, what `<video>` asks for) is answered with: the
 * element asks again from where the answer ended, while a seek elsewhere leaves no long stream
 * running on the server. HTTP lets a server answer a range with a shorter Content-Range.
 */
export const MAX_OPEN_RANGE_BYTES = 8 * 1024 * 1024;

/** `bytes=a-b`, `bytes=a-` or `bytes=-n`, as [start, end); null when absent or not one plain range. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null; // several ranges: serve it all
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(match[1]);
  const last =
    match[2] === '' ? Math.min(size, start + MAX_OPEN_RANGE_BYTES) - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || last < start) return 'unsatisfiable';
  return { start, end: last + 1 };
}

const plain = (status: BlobResponse['status'], text: string): BlobResponse => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
  body: (async function* () {
    yield Buffer.from(text);
  })(),
});

/** `review` is undefined while no one is signed in to the console. */
export async function serveBlob(
  review: ReviewService | undefined,
  request: BlobRequest,
): Promise<BlobResponse> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed');
  const url = new URL(request.url, 'http://placeholder');
  const sha256 = url.pathname.slice(BLOB_ROUTE.length);
  const key = url.searchParams.get('key') ?? '';
  if (!/^[0-9a-f]{64}$/.test(sha256)) return plain(400, 'A file is named by its sha256.');
  if (!review || !review.blobKeyMatches(sha256, key)) return plain(403, 'Sign in to the console again.');
  try {
    const blob = await review.blob(sha256);
    const range = parseRange(request.range, blob.size);
    const common = {
      'content-type': blob.contentType,
      'accept-ranges': 'bytes',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    };
    if (range === 'unsatisfiable')
      return { status: 416, headers: { ...common, 'content-range': `bytes */${blob.size}` } };
    const { start, end } = range ?? { start: 0, end: blob.size };
    const headers: Record<string, string> = { ...common, 'content-length': String(end - start) };
    if (range) headers['content-range'] = `bytes ${start}-${end - 1}/${blob.size}`;
    return {
      status: range ? 206 : 200,
      headers,
      ...(request.method === 'GET' ? { body: blob.read({ start, end }) } : {}),
    };
  } catch (error) {
    if (isVigilError(error) && error.code === 'NOT_FOUND') return plain(404, error.message);
    if (isVigilError(error) && error.code === 'BAD_REQUEST') return plain(400, error.message);
    return plain(500, 'The file could not be read from the central server.');
  }
}
