// A throwaway PostgreSQL 15 cluster listening on 127.0.0.1 with TLS on, its certificate signed by a
// throwaway CA (openssl), for tests that check reachability and TLS details. PostgreSQL refuses to
// run as root, so the cluster runs as the `postgres` user.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const BIN = '/usr/lib/postgresql/15/bin';

export interface TlsCluster {
  port: number;
  caFile: string;
  url: string;
  stop(): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function asPostgres(args: string[]): void {
  const isRoot = process.getuid?.() === 0;
  const [cmd, ...rest] = isRoot ? ['runuser', '-u', 'postgres', '--', ...args] : args;
  execFileSync(cmd as string, rest, { stdio: 'pipe' });
}

export async function startTlsCluster(): Promise<TlsCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-pgtls-'));
  fs.chmodSync(dir, 0o755);
  const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Vigil Test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
  ]);
  ssl([
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  ]);
  fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  ssl([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'san.ext',
    '-out',
    'server.crt',
  ]);
  fs.chmodSync(path.join(dir, 'server.key'), 0o600);
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres', dir]);
  const port = await freePort();
  const data = path.join(dir, 'data');
  asPostgres([`${BIN}/initdb`, '-D', data, '-A', 'trust', '-U', 'postgres', '-N']);
  const opts = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c ssl=on',
    `-c ssl_cert_file=${dir}/server.crt`,
    `-c ssl_key_file=${dir}/server.key`,
    '-c fsync=off',
  ].join(' ');
  asPostgres([`${BIN}/pg_ctl`, '-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', 'start']);
  return {
    port,
    caFile: path.join(dir, 'ca.crt'),
    url: `postgresql://vigil@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        asPostgres([`${BIN}/pg_ctl`, '-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
