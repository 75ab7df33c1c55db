// Static map of the local (SQLite) migrations, bundled with the app instead of read from disk.
// Numbers: 0001–0099 local store, 0100–0199 media.
import type { Migration } from 'kysely';
import * as m0100 from './0100_media_segments';

export const localMigrations: Record<string, Migration> = {
  '0100_media_segments': m0100,
};
