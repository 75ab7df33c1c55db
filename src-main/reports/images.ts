// Loads the report's pictures (ID card, warning snapshots) and shrinks them with sharp before they
// reach pdfkit: full-size snapshots would make the PDF huge and slow, and pdfkit embeds JPEG
// without re-encoding. A missing or undecodable file becomes a described problem, never a failure,
// so the report can still be produced and say what is missing.
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

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

export async function loadImage(request: ImageRequest): Promise<LoadedImage> {
  let data: Buffer;
  try {
    data = await fs.readFile(request.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      problem: 'missing',
      message: code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? 'error'})`,
    };
  }
  try {
    const { data: jpeg, info } = await sharp(data, { failOn: 'truncated' })
      .rotate()
      .resize(request.maxWidth, request.maxHeight, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 75, mozjpeg: false })
      .toBuffer({ resolveWithObject: true });
    return { ok: true, jpeg, width: info.width, height: info.height };
  } catch (error) {
    return { ok: false, problem: 'unreadable', message: `not a readable image (${firstLine(error)})` };
  }
}

function firstLine(error: unknown): string {
  return ((error as Error).message ?? String(error)).split('\n')[0]!.slice(0, 120);
}

/** Loads many images with bounded parallelism (sharp already uses a thread per core). */
export async function loadImages(
  requests: ImageRequest[],
  concurrency = 4,
): Promise<Map<string, LoadedImage>> {
  const results = new Map<string, LoadedImage>();
  const unique = [...new Map(requests.map((r) => [r.path, r])).values()];
  let next = 0;
  const worker = async () => {
    while (next < unique.length) {
      const request = unique[next++]!;
      results.set(request.path, await loadImage(request));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, unique.length) }, worker));
  return results;
}
