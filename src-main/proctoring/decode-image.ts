// Decodes an image (file path or bytes: JPEG, PNG, WebP …) into a RawFrame with sharp, downscaling
// so the longer side fits the analyser's limit. Unreadable input becomes a typed error.
import sharp from 'sharp';
import { VigilError } from '../errors';
import type { RawFrame } from './types';

export async function decodeImage(
  input: string | Uint8Array,
  options: { maxSide?: number; timestampMs?: number } = {},
): Promise<RawFrame> {
  const maxSide = options.maxSide ?? 1280;
  try {
    const { data, info } = await sharp(input, { failOn: 'error' })
      .rotate()
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      width: info.width,
      height: info.height,
      channels: 3,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      timestampMs: options.timestampMs ?? 0,
    };
  } catch (error) {
    const name = typeof input === 'string' ? input : `${input.byteLength} bytes`;
    throw new VigilError('BAD_REQUEST', `This is not a readable image: ${name}.`, {
      reason: (error as Error).message,
    });
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
