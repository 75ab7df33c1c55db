// Loads the report's pictures (ID card, warning snapshots) and shrinks them with sharp before they
// reach pdfkit: full-size snapshots would make the PDF huge and slow, and pdfkit embeds JPEG
// without re-encoding. A missing or undecodable file becomes a described problem, never a failure,
// so the report can still be produced and say what is missing.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { MAX_IMAGE_PIXELS } from '../proctoring/decode-image';

export type LoadedImage =
  | { ok: true; jpeg: Buffer; width: number; height: number }
  | { ok: false; problem: 'missing' | 'unreadable'; message: string };

export interface ImageRequest {
  path: string;
  /** Bounding box of the output in pixels (kept inside, aspect ratio preserved). */
  maxWidth: number;
  maxHeight: number;
}

export function resolveAssetPath(file: string, assetsDir: string | undefined): string {
  return path.isAbsolute(file) || !assetsDir ? file : path.join(assetsDir, file);
}

/**
 * Reads the file now (synchronously: snapshots are small) and queues the resize in sharp's native
 * thread pool, so the work proceeds while the caller keeps the JavaScript thread busy drawing.
 */
export function loadImage(request: ImageRequest): Promise<LoadedImage> {
  let data: Buffer;
  try {
    data = fs.readFileSync(request.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return Promise.resolve({
      ok: false,
      problem: 'missing',
      message: code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? 'error'})`,
    });
  }
  // An ID card photo is kept as evidence even when the check refused it for its size: the report
  // refuses to decode it too (sharp reads the header first), as the parser worker did.
  return sharp(data, { failOn: 'truncated', limitInputPixels: MAX_IMAGE_PIXELS })
    .rotate()
    .resize(request.maxWidth, request.maxHeight, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 75 })
    .toBuffer({ resolveWithObject: true })
    .then(
      ({ data: jpeg, info }): LoadedImage => ({ ok: true, jpeg, width: info.width, height: info.height }),
      (error: unknown): LoadedImage => ({
        ok: false,
        problem: 'unreadable',
        message: `not a readable image (${firstLine(error)})`,
      }),
    );
}

function firstLine(error: unknown): string {
  return ((error as Error).message ?? String(error)).split('\n')[0]!.slice(0, 120);
}

/** Starts every load at once (sharp queues them natively); resolves when all are done. */
export async function loadImages(requests: ImageRequest[]): Promise<Map<string, LoadedImage>> {
  const unique = [...new Map(requests.map((r) => [r.path, r])).values()];
  const loaded = await Promise.all(unique.map((r) => loadImage(r)));
  return new Map(unique.map((r, i) => [r.path, loaded[i]!]));
}
