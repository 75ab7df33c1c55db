import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeIssue, loadConfig } from '../../../src-main/config/load';
import { platformPaths } from '../../../src-main/config/paths';
import { makeTempDir } from '../../support/app';

let dir: string;
let policyFile: string;
let userFile: string;
beforeEach(() => {
  dir = makeTempDir('vigil-config-');
  policyFile = path.join(dir, 'policy.json');
  userFile = path.join(dir, 'settings.json');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (file: string, value: unknown) =>
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
const load = (env: NodeJS.ProcessEnv = {}) =>
  loadConfig({ policyFile, userFile, env: { VIGIL_DATA_DIR: dir, ...env } });

describe('layered configuration', () => {
  it('uses the defaults when nothing is set', () => {
    const c = load();
    expect(c.issues).toEqual([]);
    expect(c.config.proctoring.frameRate).toBe(2);
    expect(c.config.report.pageSize).toBe('A4');
    expect(c.sources['proctoring.frameRate']).toBe('default');
    expect(c.lockedKeys).toEqual([]);
  });

  it('lets each layer override the one below: policy < user < environment', () => {
    write(policyFile, { log: { level: 'warn' } });
    write(userFile, {
      log: { level: 'debug' },
      report: { pageSize: 'Letter' },
      proctoring: { frameRate: 1 },
    });
    const c = load({ VIGIL_PROCTORING_FRAME_RATE: '4' });
    expect(c.config.report.pageSize).toBe('Letter');
    expect(c.sources['report.pageSize']).toBe('user');
    expect(c.config.proctoring.frameRate).toBe(4);
    expect(c.sources['proctoring.frameRate']).toBe('env');
    expect(c.issues).toEqual([]);
  });

  it('locks every key the IT policy sets against user settings and environment', () => {
    write(policyFile, { log: { level: 'warn' }, proctoring: { frameRate: 1 } });
    write(userFile, { log: { level: 'debug' } });
    const c = load({ VIGIL_PROCTORING_FRAME_RATE: '5' });
    expect(c.config.log.level).toBe('warn');
    expect(c.config.proctoring.frameRate).toBe(1);
    expect(c.sources['log.level']).toBe('policy');
    expect(c.lockedKeys).toEqual(['log.level', 'proctoring.frameRate']);
    expect(c.ignoredOverrides).toEqual([
      { key: 'log.level', source: userFile },
      { key: 'proctoring.frameRate', source: 'environment' },
    ]);
  });

  it('names the file, the key and the problem for a bad value, and does not use it', () => {
    write(userFile, { report: { pageSize: 'A3' } });
    const c = load();
    expect(c.issues).toHaveLength(1);
    const [issue] = c.issues;
    expect(issue).toMatchObject({ source: userFile, key: 'report.pageSize' });
    expect(describeIssue(issue!)).toMatch(/settings\.json: "report\.pageSize" .*A4.*Letter/);
    expect(c.config.report.pageSize).toBe('A4');
  });

  it('reports malformed JSON with the file named', () => {
    write(policyFile, '{ "log": { "level": "warn", } ');
    const c = load();
    expect(c.issues).toHaveLength(1);
    expect(c.issues[0]).toMatchObject({ source: policyFile, key: '(file)' });
    expect(c.issues[0]?.problem).toMatch(/not valid JSON/);
  });

  it('reports unknown keys, wrong shapes and bad environment values', () => {
    write(policyFile, {
      log: 'loud',
      proctoring: { frameRte: 3 },
      extra: 1,
      $schema: './policy.schema.json',
    });
    const c = load({ VIGIL_LOG_MAX_FILES: 'many' });
    const keys = c.issues.map((i) => `${i.source === policyFile ? 'policy' : i.source}:${i.key}`).sort();
    expect(keys).toEqual([
      'environment variable VIGIL_LOG_MAX_FILES:log.maxFiles',
      'policy:extra',
      'policy:log',
      'policy:proctoring.frameRte',
    ]);
    expect(c.config.log.maxFiles).toBe(5);
  });

  it('treats a missing or empty file as an empty layer', () => {
    write(userFile, '');
    expect(load().issues).toEqual([]);
  });

  it('coerces typed environment values', () => {
    const c = load({ VIGIL_SECURITY_REQUIRE_SIGNED_POLICY: 'true', VIGIL_LOG_MAX_FILE_MB: '3' });
    expect(c.config.security.requireSignedPolicy).toBe(true);
    expect(c.config.log.maxFileMb).toBe(3);
  });

  it('reads the machine-wide policy from the OS location', () => {
    const paths = platformPaths('linux', {}, '/home/ada', dir);
    expect(paths.policyFile).toBe(path.join(dir, '/etc/vigil/policy.json'));
    fs.mkdirSync(path.dirname(paths.policyFile), { recursive: true });
    write(paths.policyFile, { report: { pageSize: 'Letter' } });
    const c = loadConfig({ platform: 'linux', root: dir, home: dir, env: { VIGIL_DATA_DIR: dir } });
    expect(c.config.report.pageSize).toBe('Letter');
    expect(c.lockedKeys).toEqual(['report.pageSize']);
    expect(platformPaths('win32', { ProgramData: 'C:\\ProgramData' }, 'C:\\Users\\ada').policyFile).toBe(
      'C:\\ProgramData\\Vigil\\policy.json',
    );
    expect(platformPaths('darwin', {}, '/Users/ada').policyFile).toBe(
      '/Library/Application Support/Vigil/policy.json',
    );
  });
});
