// Opens the central store: a real PostgreSQL server through `pg` (TLS with verify-full by default),
// or PGlite in the app's data folder when no URL is configured. Both give the same typed kysely
// handle and the same raw query function the device ingest client uses.
import fs from 'node:fs';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { CentralDatabase } from './schema';

export type SslMode = 'disable' | 'require' | 'verify-full';

export interface CentralOptions {
  /** postgres:// URL; absent means embedded PGlite in `embeddedDir` (or in memory when unset). */
  url?: string;
  sslMode?: SslMode;
  /** PEM file with the CA that signed the server's certificate (verify-full). */
  caFile?: string;
  embeddedDir?: string;
  maxConnections?: number;
}

export type SqlQuery = <R = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<R[]>;

export interface CentralStore {
  kind: 'postgres' | 'pglite';
  db: Kysely<CentralDatabase>;
  /** One parameterised statement; used for the ingest function calls. */
  query: SqlQuery;
  close(): Promise<void>;
}

export function sslConfig(mode: SslMode, caFile?: string): pg.ClientConfig['ssl'] {
  if (mode === 'disable') return false;
  if (mode === 'require') return { rejectUnauthorized: false };
  // verify-full: the chain must verify against the CA and the host name must match the certificate.
  return { rejectUnauthorized: true, ...(caFile ? { ca: fs.readFileSync(caFile, 'utf8') } : {}) };
}

/** Our ssl settings win: drop any sslmode in the URL so pg does not parse a second opinion. */
function stripSslParams(url: string): string {
  const parsed = new URL(url);
  for (const key of ['sslmode', 'sslrootcert', 'sslcert', 'sslkey']) parsed.searchParams.delete(key);
  return parsed.toString();
}

export function openPostgres(options: CentralOptions & { url: string }): CentralStore {
  const pool = new pg.Pool({
    connectionString: stripSslParams(options.url),
    ssl: sslConfig(options.sslMode ?? 'verify-full', options.caFile),
    max: options.maxConnections ?? 4,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 10_000,
  });
  // A server restart kills idle clients; the pool replaces them, so only log-worthy, never fatal.
  pool.on('error', () => undefined);
  // The pool listens only to idle clients: one checked out between two statements (a transaction,
  // a kysely query being prepared) would throw an unhandled 'error' event and end the process when
  // the server goes away. Its next query fails instead, and the pool drops the dead client.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<CentralDatabase>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    query: async <R>(text: string, params: unknown[] = []) => (await pool.query(text, params)).rows as R[],
    close: async () => {
      await db.destroy();
    },
  };
}

export async function openPglite(options: { dir?: string } = {}): Promise<CentralStore> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGliteDialect } = await import('./pglite-dialect');
  if (options.dir) fs.mkdirSync(options.dir, { recursive: true });
  // pgcrypto seals each exam's content in vigil.fetch_exam (central migration 0445).
  const { pgcrypto } = await import('@electric-sql/pglite/contrib/pgcrypto');
  const lite = new PGlite({ ...(options.dir ? { dataDir: options.dir } : {}), extensions: { pgcrypto } });
  await lite.waitReady;
  const db = new Kysely<CentralDatabase>({ dialect: new PGliteDialect(lite) });
  return {
    kind: 'pglite',
    db,
    // Through kysely so calls queue behind any open transaction on the single connection.
    query: async <R>(text: string, params: unknown[] = []) => {
      const { CompiledQuery } = await import('kysely');
      return (await db.executeQuery<R>(CompiledQuery.raw(text, params))).rows;
    },
    close: async () => {
      await db.destroy();
    },
  };
}

export async function openCentral(options: CentralOptions): Promise<CentralStore> {
  return options.url
    ? openPostgres({ ...options, url: options.url })
    : openPglite({ dir: options.embeddedDir });
}

/**
 * A dedicated connection that LISTENs on `channels` (a pooled one cannot: it goes back to the pool).
 * Same URL and TLS rules as openPostgres. Errors (a server restart) go to `onError`; the caller's
 * periodic sweep covers notifications missed meanwhile.
 */
export async function listenPostgres(
  options: CentralOptions & { url: string },
  channels: readonly string[],
  onNotify: (channel: string, payload: string | undefined) => void,
  onError: (error: Error) => void = () => undefined,
): Promise<{ close(): Promise<void> }> {
  const client = new pg.Client({
    connectionString: stripSslParams(options.url),
    ssl: sslConfig(options.sslMode ?? 'verify-full', options.caFile),
    connectionTimeoutMillis: 5000,
  });
  client.on('error', onError);
  client.on('notification', (message) => {
    if (channels.includes(message.channel)) onNotify(message.channel, message.payload);
  });
  await client.connect();
  for (const channel of channels) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
  return { close: () => client.end() };
}
