// The app builds the central server knows (migration 0200): admins register each release's version
// and code hash, and sessions whose app_build evidence matches none are flagged for review. The
// hash of a release is computed from its build folder exactly as the running app computes it.
import type { SqlQuery } from '../central/connect';
import { VigilError } from '../errors';
import { hashBuildFiles, listBuildFiles } from './evidence-events';

export interface KnownBuildRow {
  appVersion: string;
  buildHash: string;
  note: string;
  addedAt: string;
  addedBy: string;
}

const HASH = /^[0-9a-f]{64}$/;

/** The hash the packaged app reports for the build folder (`dist/`: main, preload, renderer). */
export async function hashBuildFolder(dir: string): Promise<string> {
  const files = await listBuildFiles(dir).catch((error: unknown) => {
    throw new VigilError(
      'NOT_FOUND',
      `Cannot read the build folder ${dir}: build the app first (npm run build).`,
      {
        cause: String(error),
      },
    );
  });
  if (files.length === 0)
    throw new VigilError(
      'NOT_FOUND',
      `The build folder ${dir} is empty: build the app first (npm run build).`,
    );
  return hashBuildFiles(dir, files);
}

export async function addKnownBuild(
  query: SqlQuery,
  input: { appVersion: string; buildHash: string; note?: string },
): Promise<KnownBuildRow> {
  const buildHash = input.buildHash.toLowerCase();
  if (!HASH.test(buildHash))
    throw new VigilError('BAD_REQUEST', 'A build hash is 64 hexadecimal characters (sha256).', { buildHash });
  if (!input.appVersion.trim()) throw new VigilError('BAD_REQUEST', 'Say which app version this build is.');
  const [row] = await query<Record<string, unknown>>(
    `INSERT INTO vigil.known_app_builds (app_version, build_hash, note) VALUES ($1, $2, $3)
     ON CONFLICT (app_version, build_hash) DO UPDATE SET note = EXCLUDED.note
     RETURNING app_version, build_hash, note, added_at, added_by`,
    [input.appVersion.trim(), buildHash, input.note ?? ''],
  );
  return toRow(row!);
}

export async function listKnownBuilds(query: SqlQuery): Promise<KnownBuildRow[]> {
  const rows = await query<Record<string, unknown>>(
    `SELECT app_version, build_hash, note, added_at, added_by FROM vigil.known_app_builds
     ORDER BY added_at DESC, app_version, build_hash`,
  );
  return rows.map(toRow);
}

export async function removeKnownBuild(
  query: SqlQuery,
  input: { appVersion: string; buildHash: string },
): Promise<boolean> {
  const rows = await query(
    `DELETE FROM vigil.known_app_builds WHERE app_version = $1 AND build_hash = $2 RETURNING 1`,
    [input.appVersion, input.buildHash.toLowerCase()],
  );
  return rows.length > 0;
}

function toRow(r: Record<string, unknown>): KnownBuildRow {
  return {
    appVersion: String(r.app_version),
    buildHash: String(r.build_hash),
    note: String(r.note),
    addedAt: r.added_at instanceof Date ? r.added_at.toISOString() : String(r.added_at),
    addedBy: String(r.added_by),
  };
}
