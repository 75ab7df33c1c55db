// Opens the central store: a real PostgreSQL server through `pg` (TLS with verify-full by default),
// or PGlite in the app's data folder when no URL is configured. Both give the same typed kysely
// handle and the same raw query function the device ingest client uses.
//
// TLS follows libpq's sslmode, which `pg` only half implements (it treats prefer/require/verify-ca as
// verify-full and has no allow/prefer fallback), so we resolve the mode ourselves and hand `pg` the
// exact TLS options. Where the mode comes from, highest first — the libpq rule that a connection
// string beats the environment, with an explicit command-line option above both:
//   1. an explicit option (`--ssl-mode`, or `sslMode` from code),
//   2. `sslmode=` in the URL (`--central`, `--db` or central.url),
//   3. central.sslMode (IT policy, user settings or VIGIL_CENTRAL_SSL_MODE),
//   4. verify-full.
// `sslrootcert`, `sslcert` and `sslkey` in the URL are honoured the same way (below --ca-file /
// central.caFile for the root certificate).
import fs from 'node:fs';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { VigilError } from '../errors';
import type { CentralDatabase } from './schema';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface CentralOptions {
  /** postgres:// URL; absent means embedded PGlite in `embeddedDir` (or in memory when unset). */
  url?: string;
  /** Explicit mode (a command-line flag): wins over `sslmode=` in the URL. */
  sslMode?: SslMode;
  /** Configured mode (central.sslMode): used when neither an explicit mode nor the URL says one. */
  defaultSslMode?: SslMode;
  /** PEM file with the CA that signed the server's certificate (verify-ca, verify-full). */
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

export type SslSource = 'option' | 'url' | 'config' | 'default';

export interface ResolvedSsl {
  mode: SslMode;
  /** Which setting decided the mode: named in errors so the user knows what to change. */
  source: SslSource;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** The URL without the ssl* parameters (pg must not parse a second opinion). */
  url: string;
}

function isSslMode(value: string): value is SslMode {
  return (SSL_MODES as readonly string[]).includes(value);
}

/** Decides the effective sslmode and certificate files for `options.url` (see the header). */
export function resolveSsl(options: CentralOptions & { url: string }): ResolvedSsl {
  const parsed = new URL(options.url);
  const fromUrl = parsed.searchParams.get('sslmode');
  if (fromUrl !== null && !isSslMode(fromUrl))
    throw new VigilError(
      'CONFIG_INVALID',
      `sslmode=${fromUrl} in the central URL is not a PostgreSQL sslmode; use one of ${SSL_MODES.join(', ')}.`,
      { sslmode: fromUrl },
    );
  const rootCert = parsed.searchParams.get('sslrootcert') ?? undefined;
  const certFile = parsed.searchParams.get('sslcert') ?? undefined;
  const keyFile = parsed.searchParams.get('sslkey') ?? undefined;
  for (const key of ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl', 'sslnegotiation'])
    parsed.searchParams.delete(key);
  const [mode, source]: [SslMode, SslSource] = options.sslMode
    ? [options.sslMode, 'option']
    : fromUrl !== null
      ? [fromUrl, 'url']
      : options.defaultSslMode
        ? [options.defaultSslMode, 'config']
        : ['verify-full', 'default'];
  const caFile = options.caFile ?? rootCert;
  return {
    mode,
    source,
    url: parsed.toString(),
    ...(caFile ? { caFile } : {}),
    ...(certFile ? { certFile } : {}),
    ...(keyFile ? { keyFile } : {}),
  };
}

/**
 * pg's TLS options for a mode that uses TLS (for allow/prefer: the TLS attempt). Like libpq, require
 * with a root certificate behaves as verify-ca.
 */
export function sslConfig(
  mode: SslMode,
  caFile?: string,
  client: { certFile?: string; keyFile?: string } = {},
): pg.ClientConfig['ssl'] {
  if (mode === 'disable') return false;
  const pair = {
    ...(client.certFile ? { cert: fs.readFileSync(client.certFile, 'utf8') } : {}),
    ...(client.keyFile ? { key: fs.readFileSync(client.keyFile, 'utf8') } : {}),
  };
  const ca = caFile ? { ca: fs.readFileSync(caFile, 'utf8') } : {};
  if (mode === 'allow' || mode === 'prefer' || (mode === 'require' && !caFile))
    return { rejectUnauthorized: false, ...pair };
  // verify-ca: the chain must verify against the CA; the host name is not compared.
  if (mode === 'require' || mode === 'verify-ca')
    return { rejectUnauthorized: true, checkServerIdentity: () => undefined, ...ca, ...pair };
  // verify-full: the chain must verify against the CA and the host name must match the certificate.
  return { rejectUnauthorized: true, ...ca, ...pair };
}

const NO_SSL = 'The server does not support SSL connections';

function sourceName(source: SslSource): string {
  switch (source) {
    case 'option':
      return '--ssl-mode';
    case 'url':
      return 'sslmode= in the central URL';
    case 'config':
      return 'central.sslMode';
    case 'default':
      return 'the default';
  }
}

/** pg's bare "does not support SSL" becomes an error that says which setting to change. */
function explainConnectError(error: unknown, resolved: ResolvedSsl): unknown {
  if (!(error instanceof Error) || error.message !== NO_SSL) return error;
  const where = new URL(resolved.url).host;
  return new VigilError(
    'UNAVAILABLE',
    `${NO_SSL} at ${where}, and sslmode is ${resolved.mode} (from ${sourceName(resolved.source)}). ` +
      'Turn TLS on at the server (ssl = on in postgresql.conf), or, only on a network you trust, ' +
      'connect without it: add ?sslmode=disable (or prefer) to the --central/--db URL, pass ' +
      '--ssl-mode disable, or set central.sslMode (VIGIL_CENTRAL_SSL_MODE).',
    { tls: 'unsupported', sslMode: resolved.mode, sslModeSource: resolved.source },
    { cause: error },
  );
}

type ConnectFn = (this: pg.Client, callback?: (err: Error | null) => void) => Promise<unknown> | undefined;

/** A pg.Client whose connect failures go through explainConnectError (the pool and kysely use it). */
function explainingClient(resolved: ResolvedSsl): typeof pg.Client {
  const ExplainingClient = class extends pg.Client {};
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(this) below
  const connect = pg.Client.prototype.connect as ConnectFn;
  const explained: ConnectFn = function (callback) {
    if (callback)
      return connect.call(this, (err) => callback(err ? (explainConnectError(err, resolved) as Error) : err));
    return (connect.call(this) as Promise<unknown>).catch((err: unknown) => {
      throw explainConnectError(err, resolved);
    });
  };
  // Assigned rather than overridden: pg's typings give connect() overloads a subclass cannot restate.
  Object.defineProperty(ExplainingClient.prototype, 'connect', { value: explained, writable: true });
  return ExplainingClient;
}

/**
 * The ssl option every connection of one store uses. disable/require/verify-* are fixed. prefer tries
 * TLS and, when the server has none, plaintext; allow tries plaintext and, when the server refuses it
 * (pg_hba hostssl), TLS — libpq's order. The first successful attempt decides for the store's life.
 */
function sslChooser(resolved: ResolvedSsl): () => Promise<pg.ClientConfig['ssl']> {
  const tlsOptions = sslConfig(resolved.mode, resolved.caFile, resolved);
  if (resolved.mode !== 'allow' && resolved.mode !== 'prefer') return () => Promise.resolve(tlsOptions);
  const [first, second] =
    resolved.mode === 'prefer' ? [tlsOptions, false as const] : [false as const, tlsOptions];
  const fallsBack = (error: unknown): boolean =>
    resolved.mode === 'prefer'
      ? error instanceof Error && error.message === NO_SSL
      : // The server refused (e.g. 28000: no pg_hba entry without encryption), not a network error.
        error instanceof pg.DatabaseError;
  let decided: Promise<pg.ClientConfig['ssl']> | undefined;
  return () => {
    decided ??= (async () => {
      const probe = new pg.Client({
        connectionString: resolved.url,
        ssl: first,
        connectionTimeoutMillis: 5000,
      });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return first;
      } catch (error) {
        if (!fallsBack(error)) throw error;
        return second;
      } finally {
        await probe.end().catch(() => undefined);
      }
    })().catch((error: unknown) => {
      // Not decided (the server is down): the next connection asks again.
      decided = undefined;
      throw error;
    });
    return decided;
  };
}

export function openPostgres(options: CentralOptions & { url: string }): CentralStore {
  const resolved = resolveSsl(options);
  const chooseSsl = sslChooser(resolved);
  let pool: Promise<pg.Pool> | undefined;
  const getPool = (): Promise<pg.Pool> => {
    pool ??= chooseSsl().then((ssl) => {
      const created = new pg.Pool({
        connectionString: resolved.url,
        ssl,
        Client: explainingClient(resolved),
        max: options.maxConnections ?? 4,
        connectionTimeoutMillis: 5000,
        idleTimeoutMillis: 10_000,
      });
      // A server restart kills idle clients; the pool replaces them, so only log-worthy, never fatal.
      created.on('error', () => undefined);
      // The pool listens only to idle clients: one checked out between two statements (a transaction,
      // a kysely query being prepared) would throw an unhandled 'error' event and end the process when
      // the server goes away. Its next query fails instead, and the pool drops the dead client.
      created.on('connect', (client) => client.on('error', () => undefined));
      return created;
    });
    // An undecided allow/prefer (server unreachable) is asked again on the next statement.
    pool.catch(() => {
      pool = undefined;
    });
    return pool;
  };
  const db = new Kysely<CentralDatabase>({ dialect: new PostgresDialect({ pool: getPool }) });
  return {
    kind: 'postgres',
    db,
    query: async <R>(text: string, params: unknown[] = []) =>
      (await (await getPool()).query(text, params)).rows as R[],
    close: async () => {
      await db.destroy();
      // Kysely ends only a pool it has used itself; one only `query` touched is ended here.
      if (pool) await (await pool.catch(() => null))?.end().catch(() => undefined);
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
 * One dedicated, not yet connected client with the same URL and TLS rules as openPostgres: for what a
 * pooled connection cannot do (LISTEN, below) or must not hide (doctor's pooler check).
 */
export async function postgresClient(
  options: CentralOptions & { url: string; timeoutMs?: number },
): Promise<pg.Client> {
  const resolved = resolveSsl(options);
  const Client = explainingClient(resolved);
  return new Client({
    connectionString: resolved.url,
    ssl: await sslChooser(resolved)(),
    connectionTimeoutMillis: options.timeoutMs ?? 5000,
  });
}

/**
 * A dedicated connection that LISTENs on `channels` (a pooled one cannot: it goes back to the pool).
 * Same URL and TLS rules as openPostgres. Errors (a server restart) go to `onError`; the caller's
 * periodic sweep covers notifications missed meanwhile. Not through a transaction-pooling PgBouncer
 * (LISTEN needs its session): the worker connects to PostgreSQL directly.
 */
export async function listenPostgres(
  options: CentralOptions & { url: string },
  channels: readonly string[],
  onNotify: (channel: string, payload: string | undefined) => void,
  onError: (error: Error) => void = () => undefined,
): Promise<{ close(): Promise<void> }> {
  const client = await postgresClient(options);
  client.on('error', onError);
  client.on('notification', (message) => {
    if (channels.includes(message.channel)) onNotify(message.channel, message.payload);
  });
  await client.connect();
  for (const channel of channels) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
  return { close: () => client.end() };
}
