// "Save diagnostics" through the contract, on a real app booted in a data folder with a policy:
// one .tar.gz that `tar -xzf` opens, with the doctor report, the logs redacted again, the policy
// sources and the versions — and none of the secrets planted in the logs, the policy, the user
// settings, nor the device token, answers, recordings or snapshots lying in the data folder.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, type BootedApp } from '../../../src-main/app/boot';
import type { CallContext } from '../../../src-main/rpc/dispatcher';
import { makeTempDir } from '../../support/temp-dir';

const host: CallContext = { transport: 'host', origin: 'http://127.0.0.1' };
const secrets = {
  deviceToken: 'dtok_5f4e3d2c1b0a99887766',
  centralPassword: 'pgSecret-77aa',
  apiKey: 'sk-live-planted-1234567890',
  enrollmentCode: 'K7QD-9WXM-4PZT',
  typedCode: 'r8tb 3vhn 2cj6',
  bearer: 'eyJhbGciOiJIUzI1NiJ9.planted.sig',
  password: 'hunter2-planted',
  answer: 'My planted answer about quicksort',
};

let scratch: { dir: string; cleanup(): void };
let dataDir: string;
let booted: BootedApp;

beforeAll(async () => {
  scratch = makeTempDir('vigil-diagnostics-');
  dataDir = path.join(scratch.dir, 'data');
  fs.mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
  const policyFile = path.join(scratch.dir, 'policy.json');
  fs.writeFileSync(
    policyFile,
    JSON.stringify({
      central: {
        url: `postgres://vigil_device:${secrets.centralPassword}@127.0.0.1:1/vigil`,
        sslMode: 'disable',
      },
      log: { level: 'info' },
    }),
  );
  fs.writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ ai: { apiKey: secrets.apiKey } }));
  // What an older build (or a bug) might have written unredacted, in a rotated log.
  fs.writeFileSync(
    path.join(dataDir, 'logs', 'vigil.0.log'),
    [
      JSON.stringify({
        level: 30,
        time: '2026-12-01T10:00:00.000Z',
        deviceToken: secrets.deviceToken,
        msg: 'enrolled',
      }),
      JSON.stringify({
        level: 30,
        time: '2026-12-01T10:00:01.000Z',
        request: { code: secrets.typedCode },
        msg: 'enroll',
      }),
      JSON.stringify({
        level: 50,
        time: '2026-12-01T10:00:02.000Z',
        msg: `connect postgres://vigil_device:${secrets.centralPassword}@db.example/vigil failed, code ${secrets.enrollmentCode}`,
        err: { code: 'ECONNREFUSED' },
      }),
      JSON.stringify({
        level: 60,
        time: '2026-12-01T10:00:03.000Z',
        msg: `crash: Bearer ${secrets.bearer} password=${secrets.password}`,
      }),
      `plain text line token=${secrets.deviceToken}`,
    ].join('\n') + '\n',
  );
  // What the data folder holds besides logs: none of it may reach the archive.
  fs.writeFileSync(path.join(dataDir, 'device-token'), secrets.deviceToken);
  fs.mkdirSync(path.join(dataDir, 'recordings'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'recordings', 'session.webm'), 'webm bytes');
  fs.mkdirSync(path.join(dataDir, 'snapshots'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'snapshots', 'frame.jpg'), 'jpeg bytes');
  fs.writeFileSync(path.join(dataDir, 'answers.json'), JSON.stringify({ answer: secrets.answer }));

  booted = await bootApp('host', { policyFile, env: { VIGIL_DATA_DIR: dataDir }, home: scratch.dir });
}, 60_000);
afterAll(async () => {
  await booted?.close();
  scratch?.cleanup();
});

describe('Save diagnostics', () => {
  it('writes one archive to the data folder with the report, redacted logs, policy and versions', async () => {
    const result = await booted.app.dispatcher.dispatch('saveDiagnostics', {}, host);
    if (!result.ok) throw new Error(result.error.message);
    const saved = result.value as { path: string; bytes: number; entries: string[] };
    expect(path.dirname(saved.path)).toBe(path.join(dataDir, 'diagnostics'));
    expect(saved.path).toMatch(/vigil-diagnostics-\d{8}T\d{6}Z\.tar\.gz$/);
    expect(fs.statSync(saved.path).size).toBe(saved.bytes);

    const out = path.join(scratch.dir, 'extracted');
    fs.mkdirSync(out);
    execFileSync('tar', ['-xzf', saved.path, '-C', out]);
    const [folder] = fs.readdirSync(out);
    const root = path.join(out, folder!);
    const files = execFileSync('find', ['.', '-type', 'f'], { cwd: root, encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((f) => f.replace(/^\.\//, ''))
      .sort();
    expect(files).toEqual([
      'README.txt',
      'doctor.json',
      'logs/vigil.0.log',
      'logs/vigil.1.log',
      'policy.json',
      'recent-errors.json',
      'versions.json',
    ]);
    expect(saved.entries.map((e) => e.slice(folder!.length + 1)).sort()).toEqual(files);

    const read = (name: string) => fs.readFileSync(path.join(root, name), 'utf8');
    const doctor = JSON.parse(read('doctor.json')) as { checks: { id: string }[] };
    expect(doctor.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining(['versions', 'policy', 'files', 'database', 'central', 'sync']),
    );
    const policy = JSON.parse(read('policy.json')) as Record<string, unknown>;
    expect(policy).toMatchObject({
      policyFile: path.join(scratch.dir, 'policy.json'),
      signatureStatus: 'unsigned',
      policyRefused: false,
      managedKeys: ['central.sslMode', 'central.url', 'log.level'],
    });
    expect((policy.sources as Record<string, string>)['ai.apiKey']).toBe('user');
    const versions = JSON.parse(read('versions.json')) as Record<string, unknown>;
    expect(versions).toMatchObject({ node: process.versions.node, platform: process.platform, mode: 'host' });
    expect(typeof versions.app).toBe('string');
    // The running app's own log (this boot) is in, and the old log's error and fatal lines are the crash record.
    expect(read('logs/vigil.1.log')).toContain('app started');
    const errors = JSON.parse(read('recent-errors.json')) as { errors: { level: number; msg: string }[] };
    expect(errors.errors.map((e) => e.level)).toEqual([50, 60]);
    expect(errors.errors[0]!.msg).toContain('db.example/vigil failed');
    // An error code is support's evidence, not a secret.
    expect(read('logs/vigil.0.log')).toContain('ECONNREFUSED');

    const everything = files.map(read).join('\n');
    for (const secret of Object.values(secrets)) expect(everything).not.toContain(secret);
    expect(everything).not.toContain('webm bytes');
    expect(everything).not.toContain('jpeg bytes');
    expect(read('logs/vigil.0.log')).toContain('[redacted]');
  }, 60_000);

  it('refuses, through the contract, to change a value the IT policy manages', async () => {
    const refused = await booted.app.dispatcher.dispatch(
      'changeSetting',
      { key: 'log.level', value: 'trace' },
      host,
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'MANAGED', details: { key: 'log.level' } } });
    if (refused.ok) return;
    expect(refused.error.message).toContain('managed by your organisation');
    expect(fs.readFileSync(path.join(dataDir, 'settings.json'), 'utf8')).not.toContain('trace');

    const view = await booted.app.dispatcher.dispatch('getSettings', {}, host);
    if (!view.ok) throw new Error(view.error.message);
    const settings = (view.value as { settings: { key: string; managed: boolean; value: unknown }[] })
      .settings;
    expect(settings.find((s) => s.key === 'log.level')).toMatchObject({ managed: true, value: 'info' });
    expect(settings.find((s) => s.key === 'central.url')).toMatchObject({ managed: true, value: '(set)' });

    const allowed = await booted.app.dispatcher.dispatch(
      'changeSetting',
      { key: 'report.pageSize', value: 'Letter' },
      host,
    );
    expect(allowed.ok).toBe(true);
    expect(booted.app.context.loaded.config.report.pageSize).toBe('Letter');
  });
});
