// `vigil doctor` against real parts: a real PostgreSQL with TLS, real SQLite files, the real model
// files and ffmpeg/ffprobe binaries. Healthy → exit 0 with every item ok; a missing model file, an
// unreachable server or a corrupt database → the problem named and a non-zero exit.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src-main/config/load';
import { bundledPaths, requiredHumanModels } from '../../../src-main/doctor/bundled-files';
import { runDoctor } from '../../../src-main/doctor/run-doctor';
import type { DoctorReport, PendingSyncSource } from '../../../src-main/doctor/types';
import { freePort, startTlsCluster, type TlsCluster } from '../../support/pg-tls-cluster';

let cluster: TlsCluster;
let tmp: string;
const emptyQueue: PendingSyncSource = { pendingSync: async () => ({ outboxItems: 0, blobBytes: 0 }) };

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-doctor-'));
  cluster = await startTlsCluster();
}, 120_000);
afterAll(() => {
  cluster?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A machine: data folder with a healthy local database, no policy file, settings from env. */
function machine(name: string, env: Record<string, string> = {}): Record<string, string> {
  const dataDir = path.join(tmp, name, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, 'vigil.db'));
  db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT)');
  const insert = db.prepare('INSERT INTO events (payload) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run(`event ${i} `.repeat(20));
  })();
  db.close();
  return {
    VIGIL_POLICY_FILE: path.join(tmp, name, 'no-policy.json'),
    VIGIL_DATA_DIR: dataDir,
    // A login that exists (trust auth): the pooler check logs in to tell a pooler from PostgreSQL.
    VIGIL_CENTRAL_URL: cluster.url.replace('//vigil@', '//postgres@'),
    VIGIL_CENTRAL_SSL_MODE: 'verify-full',
    VIGIL_CENTRAL_CA_FILE: cluster.caFile,
    HOME: path.join(tmp, name),
    ...env,
  };
}

function doctor(
  env: Record<string, string>,
  extra: Partial<Parameters<typeof runDoctor>[0]> = {},
): Promise<DoctorReport> {
  return runDoctor({ loaded: loadConfig({ env }), appVersion: '0.1.0', pendingSync: emptyQueue, ...extra });
}

function cli(env: Record<string, string>): Promise<{ code: number; report: DoctorReport }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['bin/vigil.mjs', 'doctor', '--json'],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, stdout) => {
        if (error && typeof error.code !== 'number') return reject(new Error(error.message));
        resolve({
          code: typeof error?.code === 'number' ? error.code : 0,
          report: JSON.parse(stdout) as DoctorReport,
        });
      },
    );
  });
}

function check(report: DoctorReport, id: string) {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no ${id} check`);
  return found;
}

/** Overwrites the middle of the database's b-tree pages, as a failing disk would. */
function corrupt(file: string): void {
  const bytes = fs.readFileSync(file);
  for (let offset = 4096 * 3; offset < bytes.length - 4096; offset += 4096 * 5)
    bytes.fill(0xa5, offset, offset + 64);
  fs.writeFileSync(file, bytes);
}

describe('vigil doctor', () => {
  it('reports a healthy machine with every item ok, TLS verified, and exit 0', async () => {
    const report = await doctor(machine('healthy'));
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['versions', 'ok'],
      ['policy', 'ok'],
      ['files', 'ok'],
      ['binaries', 'ok'],
      ['database', 'ok'],
      ['central', 'ok'],
      ['pooler', 'ok'],
      ['sync', 'ok'],
    ]);
    expect(report.exitCode).toBe(0);
    expect(check(report, 'pooler')).toMatchObject({ details: { pooler: false } });
    const central = check(report, 'central').details as Record<string, unknown>;
    expect(central).toMatchObject({
      reachable: true,
      tls: true,
      chainVerified: true,
      hostnameVerified: true,
    });
    expect(String(central.protocol)).toMatch(/^TLSv1\.[23]$/);
    const files = check(report, 'files').details?.files as { role: string; sha256?: string }[];
    expect(files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256 ?? ''))).toBe(true);
    const policy = check(report, 'policy').details as { values: Record<string, { source: string }> };
    expect(policy.values['central.sslMode']?.source).toBe('env');
    expect(policy.values['log.level']?.source).toBe('default');
  });

  it('exits 0 from the command line on a healthy machine', async () => {
    const { code, report } = await cli(machine('healthy-cli'));
    expect(code).toBe(0);
    // Every check ok, pending sync included (read from the data folder's local database).
    expect(report.checks.filter((c) => c.status !== 'ok').map((c) => c.id)).toEqual([]);
  });

  it('names a missing model file and fails', async () => {
    const models = path.join(tmp, 'models');
    fs.cpSync(bundledPaths().humanModelsDir, models, { recursive: true });
    fs.rmSync(path.join(models, `${requiredHumanModels[1]}.bin`));
    const report = await doctor(machine('no-model'), { paths: { humanModelsDir: models } });
    expect(check(report, 'files').status).toBe('fail');
    expect(check(report, 'files').summary).toContain(
      `face model facemesh missing: ${path.join(models, 'facemesh.bin')}`,
    );
    expect(report.exitCode).toBe(1);
  });

  it('names an unreachable central server and exits non-zero', async () => {
    const port = await freePort();
    const { code, report } = await cli(
      machine('offline', { VIGIL_CENTRAL_URL: `postgresql://vigil@127.0.0.1:${port}/vigil` }),
    );
    expect(code).toBe(1);
    expect(check(report, 'central').status).toBe('fail');
    expect(check(report, 'central').summary).toMatch(
      new RegExp(`cannot reach the central server at 127\\.0\\.0\\.1:${port}.*firewall allows TCP ${port}`),
    );
  });

  it('names a corrupt local database and exits non-zero', async () => {
    const env = machine('corrupt');
    corrupt(path.join(env.VIGIL_DATA_DIR as string, 'vigil.db'));
    const { code, report } = await cli(env);
    expect(code).toBe(1);
    expect(check(report, 'database').status).toBe('fail');
    expect(check(report, 'database').summary).toContain(
      `${path.join(env.VIGIL_DATA_DIR as string, 'vigil.db')} is damaged`,
    );
  });

  it('fails verify-full when the server certificate does not verify against the configured CA', async () => {
    const env = machine('wrong-ca');
    delete env.VIGIL_CENTRAL_CA_FILE;
    const report = await doctor(env);
    expect(check(report, 'central').status).toBe('fail');
    expect(check(report, 'central').summary).toMatch(/certificate does not verify/);
  });

  it('warns about uploads waiting for more than a day, without failing', async () => {
    const report = await doctor(machine('stale-sync'), {
      pendingSync: {
        pendingSync: async () => ({ outboxItems: 3, blobBytes: 5e6, oldestQueuedAt: '2020-01-01T00:00:00Z' }),
      },
    });
    expect(check(report, 'sync')).toMatchObject({ status: 'warn' });
    expect(check(report, 'sync').summary).toMatch(/3 item\(s\) and 5\.0 MB waiting/);
    expect(report.exitCode).toBe(0);
  });
});
