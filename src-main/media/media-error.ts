// Typed media failures. Each maps to a contract error code and carries a `reason` the UI, the CLI
// and the tests can branch on, plus the paths involved so the user (or support) can act.
import fs from 'node:fs';
import path from 'node:path';
import type { ErrorCode } from '../../src-preload/contract';
import { VigilError } from '../errors';

export type MediaErrorReason =
  | 'segment_corrupt'
  | 'segment_truncated'
  | 'segment_missing'
  | 'ffmpeg_missing'
  | 'ffprobe_missing'
  | 'folder_unwritable'
  | 'disk_full'
  | 'merge_failed'
  | 'check_failed'
  | 'not_found'
  | 'out_of_order'
  | 'not_recording';

const codeFor: Record<MediaErrorReason, ErrorCode> = {
  segment_corrupt: 'MEDIA_INVALID',
  segment_truncated: 'MEDIA_INVALID',
  segment_missing: 'MEDIA_INVALID',
  ffmpeg_missing: 'UNAVAILABLE',
  ffprobe_missing: 'UNAVAILABLE',
  folder_unwritable: 'UNAVAILABLE',
  disk_full: 'DISK_FULL',
  merge_failed: 'MEDIA_INVALID',
  check_failed: 'MEDIA_INVALID',
  not_found: 'NOT_FOUND',
  out_of_order: 'CONFLICT',
  not_recording: 'CONFLICT',
};

export function mediaError(
  reason: MediaErrorReason,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): VigilError {
  return new VigilError(codeFor[reason], message, { reason, ...details }, cause ? { cause } : undefined);
}

export function mediaErrorReason(error: unknown): MediaErrorReason | undefined {
  if (error instanceof VigilError) return error.details?.reason as MediaErrorReason | undefined;
  return undefined;
}

/** Turns a file-system failure at the disk boundary into the typed error the user can act on. */
export function fsError(error: unknown, what: string, file: string): VigilError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return mediaError(
      'disk_full',
      `The disk holding ${file} is full: free some space. Everything recorded so far is kept.`,
      { file, errno: code },
      error,
    );
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR') {
    return mediaError(
      'folder_unwritable',
      `Vigil cannot write ${what} to ${file} (${code}): choose a writable data folder or fix its permissions.`,
      { file, errno: code },
      error,
    );
  }
  return mediaError(
    'merge_failed',
    `Vigil could not write ${what} to ${file}: ${(error as Error).message}`,
    {
      file,
      errno: code,
    },
    error,
  );
}

/**
 * Creates `dir` (and parents). Node's recursive mkdir reports ENOENT when an ancestor is on a
 * read-only or forbidden mount; the nearest existing ancestor is then asked why, so the user
 * sees "not writable" rather than "no such file".
 */
export function ensureWritableDir(dir: string, what: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (error) {
    let cause: unknown = error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      let ancestor = path.dirname(dir);
      while (!fs.existsSync(ancestor) && path.dirname(ancestor) !== ancestor)
        ancestor = path.dirname(ancestor);
      try {
        fs.accessSync(ancestor, fs.constants.W_OK);
      } catch (reason) {
        cause = reason;
      }
    }
    throw fsError(cause, what, dir);
  }
}
