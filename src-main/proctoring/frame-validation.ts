// Checks a frame before it reaches the models, so a bad frame becomes a typed error the caller can
// report instead of a crash inside tfjs.
import { VigilError } from '../errors';
import type { RawFrame } from './types';

export const FRAME_LIMITS = { minSide: 32, maxSide: 1920 } as const;

export function validateFrame(frame: RawFrame): void {
  const { width, height, channels, data } = frame;
  const facts = { width, height, channels, bytes: data?.length ?? 0 };
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new VigilError('BAD_REQUEST', 'The camera frame has no valid size.', facts);
  }
  if (width < FRAME_LIMITS.minSide || height < FRAME_LIMITS.minSide) {
    throw new VigilError(
      'BAD_REQUEST',
      `The camera frame is too small (${width}×${height}); send at least ${FRAME_LIMITS.minSide} pixels a side.`,
      facts,
    );
  }
  if (width > FRAME_LIMITS.maxSide || height > FRAME_LIMITS.maxSide) {
    throw new VigilError(
      'BAD_REQUEST',
      `The camera frame is too large (${width}×${height}); downscale to at most ${FRAME_LIMITS.maxSide} pixels a side.`,
      facts,
    );
  }
  if (channels !== 3 && channels !== 4) {
    throw new VigilError('BAD_REQUEST', 'The camera frame must be RGB or RGBA.', facts);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * channels) {
    throw new VigilError(
      'BAD_REQUEST',
      `The camera frame holds ${facts.bytes} bytes; ${width}×${height}×${channels} needs ${width * height * channels}.`,
      facts,
    );
  }
}
