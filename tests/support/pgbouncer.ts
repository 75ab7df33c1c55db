// A throwaway PgBouncer in transaction-pooling mode in front of a test cluster (tests/support/
// postgres.ts): config in a temp dir, a free port on 127.0.0.1, logins checked through auth_query
// (so every login role of the cluster works through it, one per device included, without listing
// each in a file), and removed on stop(). The same configuration README "Connection pooler" shows.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { scramVerifier } from '../../src-main/central/scram';
import type { PostgresCluster } from './postgres';

export const PGBOUNCER_BIN = process.env.VIGIL_PGBOUNCER_BIN ?? '/usr/sbin/pgbouncer';

/** The role PgBouncer logs in as to look up other roles' SCRAM verifiers (and nothing else). */
const AUTH_USER = 'pgbouncer_auth';
const AUTH_PASSWORD = 'pgbouncer_auth_pw';

export interface PgBouncer {
  host: string;
  port: number;
  /** The owner login through the pooler. */
  url: string;
  /** Another login role of the cluster through the pooler (password `pw` unless given). */
  urlFor(user: string, password?: string): string;
  /** The server-side pool size per database/user pair (default_pool_size). */
  poolSize: number;
  /** The last lines of PgBouncer's log, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The auth_query target: a SECURITY DEFINER function owned by the superuser that returns one role's
 * verifier, executable only by the auth user (PgBouncer's documented pattern; pg_shadow itself
 * stays superuser-only). Idempotent, per database (auth_query runs in the database being entered).
 */
export async function installAuthQuery(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${AUTH_USER}') THEN
          CREATE ROLE ${AUTH_USER} LOGIN PASSWORD '${scramVerifier(AUTH_PASSWORD)}';
        END IF;
      END $$`);
    // A hardened database (vigil migrate closing PUBLIC's surface) lets only the Vigil groups connect.
    await admin.query(`DO $$ BEGIN
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO ${AUTH_USER}', current_database());
      END $$`);
    await admin.query(`CREATE SCHEMA IF NOT EXISTS pgbouncer AUTHORIZATION postgres`);
    await admin.query(`CREATE OR REPLACE FUNCTION pgbouncer.get_auth(p_usename text)
      RETURNS TABLE (usename name, passwd text) LANGUAGE sql STABLE SECURITY DEFINER
      SET search_path = pg_catalog AS $$
        SELECT s.usename, s.passwd FROM pg_catalog.pg_shadow s WHERE s.usename = p_usename
      $$`);
    await admin.query(`REVOKE ALL ON FUNCTION pgbouncer.get_auth(text) FROM PUBLIC`);
    await admin.query(`GRANT USAGE ON SCHEMA pgbouncer TO ${AUTH_USER}`);
    await admin.query(`GRANT EXECUTE ON FUNCTION pgbouncer.get_auth(text) TO ${AUTH_USER}`);
  } finally {
    await admin.end();
  }
}

function asPostgres(cmd: string, args: string[]): { cmd: string; args: string[] } {
  // PgBouncer refuses to run as root, like PostgreSQL.
  if (process.getuid?.() === 0) return { cmd: 'runuser', args: ['-u', 'postgres', '--', cmd, ...args] };
  return { cmd, args };
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited early:\n${log()}`);
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`pgbouncer did not become ready:\n${log()}`);
}

/** Starts PgBouncer (pool_mode = transaction) for database `vigil` of `cluster`. Always stop() it. */
export async function startPgBouncer(
  cluster: PostgresCluster,
  options: { poolSize?: number; maxClientConn?: number } = {},
): Promise<PgBouncer> {
  await installAuthQuery(cluster.adminUrl);
  const poolSize = options.poolSize ?? 10;
  const maxClientConn = options.maxClientConn ?? 1000;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-pgbouncer-'));
  fs.chmodSync(root, 0o755);
  const port = await freePort();
  const host = '127.0.0.1';
  const logFile = path.join(root, 'pgbouncer.log');
  const pidFile = path.join(root, 'pgbouncer.pid');
  const configFile = path.join(root, 'pgbouncer.ini');
  // Only the auth user is listed; every other login is looked up with auth_query. PgBouncer then
  // logs in to PostgreSQL with the client's own SCRAM keys (pass-through), so no password of a
  // device or staff login is ever written to a file.
  fs.writeFileSync(path.join(root, 'userlist.txt'), `"${AUTH_USER}" "${AUTH_PASSWORD}"\n`);
  fs.writeFileSync(
    configFile,
    [
      '[databases]',
      `${cluster.database} = host=${cluster.host} port=${cluster.port} dbname=${cluster.database} auth_user=${AUTH_USER}`,
      '',
      '[pgbouncer]',
      `listen_addr = ${host}`,
      `listen_port = ${port}`,
      `unix_socket_dir = ${root}`,
      'pool_mode = transaction',
      'auth_type = scram-sha-256',
      `auth_file = ${path.join(root, 'userlist.txt')}`,
      'auth_query = SELECT usename, passwd FROM pgbouncer.get_auth($1)',
      `default_pool_size = ${poolSize}`,
      'reserve_pool_size = 0',
      `max_client_conn = ${maxClientConn}`,
      `logfile = ${logFile}`,
      `pidfile = ${pidFile}`,
      'log_connections = 0',
      'log_disconnections = 0',
      'log_pooler_errors = 1',
      '',
    ].join('\n'),
  );
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', root]);
  const readLog = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-4000) : '');
  const run = asPostgres(PGBOUNCER_BIN, [configFile]);
  // Each client is one file descriptor: 10,000 devices need more than the usual 1,024.
  const fdLimit = Math.max(4096, maxClientConn + poolSize + 100);
  const quoted = [run.cmd, ...run.args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('bash', ['-c', `ulimit -n ${fdLimit} 2>/dev/null || true; exec ${quoted}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const log = () => `${readLog()}${stderr}`;
  const urlFor = (user: string, password = 'pw') =>
    `postgres://${user}:${password}@${host}:${port}/${cluster.database}`;
  const ownerUrl = new URL(cluster.url);
  const url = urlFor(ownerUrl.username, decodeURIComponent(ownerUrl.password));
  try {
    await waitReady(url, child, log);
  } catch (error) {
    child.kill('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  return {
    host,
    port,
    url,
    urlFor,
    poolSize,
    log,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        // runuser does not forward signals: signal PgBouncer itself. SIGTERM = immediate shutdown.
        const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').trim()) : NaN;
        try {
          if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGTERM');
          else child.kill('SIGTERM');
        } catch {
          child.kill('SIGTERM');
        }
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
