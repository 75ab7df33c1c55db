// Decodes an image (file path or bytes: JPEG, PNG, WebP …) into a RawFrame, downscaling so the longer
// side fits the analyser's limit. Camera frames and ID card photos come from the renderer, so sharp
// decodes them in the parser worker (src-main/parsers/), after a byte limit here and a pixel limit
// read from the header there; anything unreadable, too big or too slow is INVALID_DOCUMENT.
import fs from 'node:fs';
import path from 'node:path';
// sharp stays loaded in main too: on glibc Linux the main thread must load it before a worker does.
import sharp from 'sharp';
import { VigilError } from '../errors';
import { documentProblem } from '../parsers/document-problem';
import { sharedParser, type UntrustedParser } from '../parsers/parser-pool';
import type { RawFrame } from './types';

/** Pixels beyond this are refused before decoding: 40 MP is more than any phone camera's photo. */
export const MAX_IMAGE_PIXELS = 40_000_000;
/** File size beyond this is refused before anything reads it. */
export const MAX_IMAGE_BYTES = 50 * 2 ** 20;

export async function decodeImage(
  input: string | Uint8Array,
  options: { maxSide?: number; timestampMs?: number; maxPixels?: number; parser?: UntrustedParser } = {},
): Promise<RawFrame> {
  const name = typeof input === 'string' ? path.basename(input) : 'the image';
  const bytes = typeof input === 'string' ? await readImageFile(input) : input;
  if (bytes.byteLength > MAX_IMAGE_BYTES)
    throw documentProblem(
      'too_large',
      name,
      `The image ${name} is ${(bytes.byteLength / 2 ** 20).toFixed(1)} MB; the limit is ${MAX_IMAGE_BYTES / 2 ** 20} MB. Take the photo again at a lower resolution.`,
      { sizeBytes: bytes.byteLength, limitBytes: MAX_IMAGE_BYTES },
    );
  const parser = options.parser ?? sharedParser('image');
  const result = await parser.parse({
    kind: 'image',
    bytes,
    name,
    maxSide: options.maxSide ?? 1280,
    maxPixels: options.maxPixels ?? MAX_IMAGE_PIXELS,
  });
  if (result.kind !== 'image') throw new VigilError('INTERNAL', 'The image reader answered with a document.');
  return { ...result.pixels, timestampMs: options.timestampMs ?? 0 };
}

async function readImageFile(file: string): Promise<Uint8Array> {
  try {
    const stat = await fs.promises.stat(file);
    if (stat.size > MAX_IMAGE_BYTES)
      throw documentProblem(
        'too_large',
        path.basename(file),
        `The image ${file} is ${(stat.size / 2 ** 20).toFixed(1)} MB; the limit is ${MAX_IMAGE_BYTES / 2 ** 20} MB.`,
        { sizeBytes: stat.size, limitBytes: MAX_IMAGE_BYTES },
      );
    return await fs.promises.readFile(file);
  } catch (error) {
    if (error instanceof VigilError) throw error;
    throw documentProblem(
      'corrupt',
      path.basename(file),
      `This is not a readable image: ${file} (${(error as Error).message}).`,
    );
  }
}

/** Encodes a frame as JPEG (snapshots, evidence). */
export async function encodeJpeg(frame: RawFrame, quality = 80): Promise<Uint8Array> {
  const buffer = await sharp(frame.data, {
    raw: { width: frame.width, height: frame.height, channels: frame.channels },
  })
    .jpeg({ quality })
    .toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
