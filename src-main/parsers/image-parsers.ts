// Image decoding with sharp, inside the parser worker. The header's dimensions are read first (no
// pixels decoded) and an image over the pixel limit is refused; `limitInputPixels` makes libvips
// refuse it too, should the header lie. Output is downscaled so its longer side fits `maxSide`.
import sharp from 'sharp';
import { documentProblem } from './document-problem';
import type { DecodedPixels } from './protocol';

export async function decodePixels(
  bytes: Uint8Array,
  options: { name: string; maxSide: number; maxPixels: number },
): Promise<DecodedPixels> {
  const { name, maxSide, maxPixels } = options;
  const unreadable = (error: unknown) =>
    documentProblem(
      'corrupt',
      name,
      `This is not a readable image (${name}): ${(error as Error).message}. Take the photo again or use a JPEG or PNG file.`,
    );
  let width: number;
  let height: number;
  try {
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    width = meta.width ?? 0;
    height = meta.height ?? 0;
  } catch (error) {
    throw unreadable(error);
  }
  if (width * height > maxPixels)
    throw documentProblem(
      'too_many_pixels',
      name,
      `The image ${name} is ${width} × ${height} pixels (${((width * height) / 1e6).toFixed(0)} megapixels); the limit is ${(maxPixels / 1e6).toFixed(0)} megapixels. Take the photo again at a lower resolution.`,
      { width, height, limitPixels: maxPixels },
    );
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error', limitInputPixels: maxPixels })
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
    };
  } catch (error) {
    throw unreadable(error);
  }
}
