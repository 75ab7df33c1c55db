// Throwaway PostgreSQL 15 cluster for integration, fault and end-to-end suites: initdb into a temp
// dir with fsync off, listen on 127.0.0.1 at a free port, and remove everything on stop(). Real
// server, real roles, real row-level security; nothing is mocked.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { scramVerifier } from '../../src-main/central/scram';

export const PG_BIN = process.env.VIGIL_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PostgresCluster {
  /** Owner login (CREATEROLE, not superuser): what `vigil migrate --central` uses. */
  url: string;
  /** Superuser login, for test setup that needs it (creating login roles, catalog checks). */
  adminUrl: string;
  host: string;
  port: number;
  database: string;
  dataDir: string;
  /** A URL for another login role on this cluster (password `pw` unless given). */
  urlFor(user: string, password?: string): string;
  /** Stops the server but keeps the data (fault tests restart it with start()). */
  pause(): Promise<void>;
  /** Starts a paused server again on the same port. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

const OWNER = 'vigil_app';
const OWNER_PASSWORD = 'vigil_app_pw';
const SUPER = 'postgres';
const SUPER_PASSWORD = 'postgres_pw';

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

function asPostgres(cmd: string, args: string[]): { cmd: string; args: string[] } {
  // initdb and postgres refuse to run as root.
  if (process.getuid?.() === 0) return { cmd: 'runuser', args: ['-u', 'postgres', '--', cmd, ...args] };
  return { cmd, args };
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`postgres exited early:\n${log()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`postgres did not become ready:\n${log()}`);
}

/** Starts a fresh cluster. Always call stop() (e.g. in afterAll). */
export async function startPostgres(options: { maxConnections?: number } = {}): Promise<PostgresCluster> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-pg-'));
  fs.chmodSync(root, 0o755);
  const dataDir = path.join(root, 'data');
  const pwFile = path.join(root, 'pw');
  fs.writeFileSync(pwFile, SUPER_PASSWORD);
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:postgres', root]);
  const init = asPostgres(path.join(PG_BIN, 'initdb'), [
    '--no-sync',
    '-D',
    dataDir,
    '-U',
    SUPER,
    '--pwfile',
    pwFile,
    '--auth=scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  execFileSync(init.cmd, init.args, { stdio: 'pipe' });
  const port = await freePort();
  const host = '127.0.0.1';
  const logFile = path.join(root, 'server.log');
  let child: ChildProcess | undefined;
  const readLog = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-4000) : '');

  const adminUrl = `postgres://${SUPER}:${SUPER_PASSWORD}@${host}:${port}/postgres`;
  const launch = async () => {
    const run = asPostgres(path.join(PG_BIN, 'postgres'), [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      `listen_addresses=${host}`,
      '-c',
      `unix_socket_directories=${root}`,
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      `max_connections=${options.maxConnections ?? 100}`,
      '-c',
      'shared_buffers=32MB',
    ]);
    const out = fs.openSync(logFile, 'a');
    child = spawn(run.cmd, run.args, { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    await waitReady(adminUrl, child, readLog);
  };
  await launch();

  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  // A verifier, not the password, in the DDL (as every Vigil login: src-main/central/scram.ts).
  await admin.query(`CREATE ROLE ${OWNER} LOGIN CREATEROLE PASSWORD '${scramVerifier(OWNER_PASSWORD)}'`);
  await admin.query(`CREATE DATABASE vigil OWNER ${OWNER}`);
  await admin.end();

  const halt = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    // Signal the postmaster itself (runuser does not forward signals). SIGINT = fast shutdown.
    const pidFile = path.join(dataDir, 'postmaster.pid');
    const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]) : NaN;
    try {
      if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGINT');
      else proc.kill('SIGINT');
    } catch {
      proc.kill('SIGINT');
    }
    const timer = setTimeout(() => {
      try {
        if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      proc.kill('SIGKILL');
    }, 10_000);
    await exited;
    clearTimeout(timer);
  };
  let stopped = false;
  return {
    url: `postgres://${OWNER}:${OWNER_PASSWORD}@${host}:${port}/vigil`,
    adminUrl: `postgres://${SUPER}:${SUPER_PASSWORD}@${host}:${port}/vigil`,
    host,
    port,
    database: 'vigil',
    dataDir,
    urlFor: (user, password = 'pw') => `postgres://${user}:${password}@${host}:${port}/vigil`,
    pause: halt,
    resume: launch,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await halt();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
