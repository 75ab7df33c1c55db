// SQLite failures the user or the caller can act on become typed VigilErrors: a full disk, a
// database held by another process, a damaged file. Anything else stays INTERNAL.
import { VigilError } from '../errors';

export function storeError(error: unknown, action: string): VigilError {
  if (error instanceof VigilError) return error;
  const raw = (error as { code?: unknown } | null)?.code;
  const code = typeof raw === 'string' ? raw : '';
  const message = (error as Error)?.message ?? String(error);
  if (code === 'SQLITE_FULL' || (code.startsWith('SQLITE_IOERR') && /ENOSPC|full/i.test(message))) {
    return new VigilError(
      'DISK_FULL',
      `The disk holding Vigil's data is full, so ${action} was not saved. Free some space and try again.`,
      { action, sqlite: code },
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new VigilError(
      'STORAGE_BUSY',
      `Another process is using Vigil's database, so ${action} was not saved. Close other Vigil windows and try again.`,
      { action, sqlite: code },
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new VigilError(
      'INTEGRITY',
      `Vigil's local database is damaged (${message}); run \`vigil db check\`.`,
      { action, sqlite: code },
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new VigilError(
      'CONFLICT',
      `${action} conflicts with stored data: ${message}`,
      { action, sqlite: code },
      {
        cause: error,
      },
    );
  }
  return new VigilError(
    'INTERNAL',
    `${action} failed: ${message}`,
    { action, sqlite: code },
    { cause: error },
  );
}
