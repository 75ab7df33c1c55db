// The About screen's settings: every source is marked as such, what the IT policy sets is
// "managed by your organisation" and cannot be changed (main refuses it, whatever the renderer
// sends), and a change the candidate may make lands in settings.json and applies at once.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src-main/config/load';
import { changeUserSetting, describeSettings } from '../../../src-main/config/user-settings';
import { isVigilError } from '../../../src-main/errors';
import { makeTempDir } from '../../support/app';

let dir: string;
let policyFile: string;
let userFile: string;
beforeEach(() => {
  dir = makeTempDir('vigil-settings-');
  policyFile = path.join(dir, 'policy.json');
  userFile = path.join(dir, 'settings.json');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (file: string, value: unknown) => fs.writeFileSync(file, JSON.stringify(value));
const load = (env: NodeJS.ProcessEnv = {}) =>
  loadConfig({ policyFile, userFile, env: { VIGIL_DATA_DIR: dir, ...env } });
const setting = (loaded: ReturnType<typeof load>, key: string) => {
  const found = describeSettings(loaded).find((s) => s.key === key);
  if (!found) throw new Error(`no setting ${key}`);
  return found;
};
function refusal(run: () => void) {
  try {
    run();
  } catch (error) {
    if (isVigilError(error)) return error;
    throw error;
  }
  throw new Error('the change was not refused');
}

describe('settings in About', () => {
  it('marks each value with its source: default, IT policy (managed), user, environment', () => {
    write(policyFile, { log: { level: 'warn' }, update: { enabled: false } });
    write(userFile, { report: { pageSize: 'Letter' }, log: { level: 'trace' } });
    const loaded = load({ VIGIL_PROCTORING_FRAME_RATE: '3' });

    const managed = setting(loaded, 'log.level');
    expect(managed).toMatchObject({ value: 'warn', source: 'policy', managed: true, editable: false });
    expect(managed.lockedReason).toContain('managed by your organisation');
    expect(managed.lockedReason).toContain(policyFile);
    // The candidate's own value for a managed key is named as ignored, not silently dropped.
    expect(managed.ignoredOverride).toBe(userFile);
    expect(setting(loaded, 'update.enabled')).toMatchObject({
      value: false,
      source: 'policy',
      managed: true,
    });

    expect(setting(loaded, 'report.pageSize')).toMatchObject({
      value: 'Letter',
      source: 'user',
      managed: false,
      editable: true,
      lockedReason: null,
      choices: ['A4', 'Letter'],
    });
    const fromEnv = setting(loaded, 'proctoring.frameRate');
    expect(fromEnv).toMatchObject({ value: 3, source: 'env', managed: false, editable: false });
    expect(setting(loaded, 'update.channel')).toMatchObject({
      value: 'latest',
      source: 'default',
      managed: false,
    });
  });

  it('shows a secret only as set, and nothing is managed when the policy was refused', () => {
    write(policyFile, {
      central: { url: 'postgres://device:hunter2@db.example/vigil' },
      log: { level: 'warn' },
    });
    const loaded = load();
    const url = setting(loaded, 'central.url');
    expect(url).toMatchObject({ value: '(set)', source: 'policy', managed: true });
    expect(JSON.stringify(describeSettings(loaded))).not.toContain('hunter2');

    // Signatures required and the policy unsigned: it is refused as a whole, so it manages nothing.
    const refused = load({ VIGIL_SECURITY_REQUIRE_SIGNED_POLICY: 'true' });
    expect(refused.policy.refused).toBe(true);
    expect(describeSettings(refused).some((s) => s.managed)).toBe(false);
  });

  it('refuses to change a managed key (MANAGED), leaving settings.json and the value untouched', () => {
    write(policyFile, { log: { level: 'warn' }, report: { pageSize: 'A4' } });
    const loaded = load();
    for (const key of ['log.level', 'report.pageSize']) {
      const error = refusal(() => changeUserSetting(loaded, key, key === 'log.level' ? 'debug' : 'Letter'));
      expect(error.code).toBe('MANAGED');
      expect(error.message).toContain('managed by your organisation');
      expect(error.details).toMatchObject({ key, source: 'policy' });
    }
    expect(fs.existsSync(userFile)).toBe(false);
    expect(loaded.config.log.level).toBe('warn');
    expect(loaded.config.report.pageSize).toBe('A4');
  });

  it('refuses a key set by the environment, one not offered, and a bad value', () => {
    const loaded = load({ VIGIL_LOG_LEVEL: 'error' });
    expect(setting(loaded, 'log.level')).toMatchObject({ source: 'env', managed: false, editable: false });
    expect(setting(loaded, 'log.level').lockedReason).toContain('VIGIL_LOG_LEVEL');
    expect(refusal(() => changeUserSetting(loaded, 'log.level', 'debug')).code).toBe('CONFLICT');
    expect(refusal(() => changeUserSetting(loaded, 'proctoring.frameRate', 0.2)).code).toBe('BAD_REQUEST');
    expect(refusal(() => changeUserSetting(loaded, 'report.pageSize', 'A3')).code).toBe('BAD_REQUEST');
    expect(fs.existsSync(userFile)).toBe(false);
  });

  it('writes a permitted change to settings.json, applies it now, and the next start keeps it', () => {
    write(userFile, { proctoring: { frameRate: 1 } });
    const loaded = load();
    changeUserSetting(loaded, 'report.pageSize', 'Letter');
    expect(loaded.config.report.pageSize).toBe('Letter');
    expect(setting(loaded, 'report.pageSize')).toMatchObject({ value: 'Letter', source: 'user' });
    expect(JSON.parse(fs.readFileSync(userFile, 'utf8'))).toEqual({
      proctoring: { frameRate: 1 },
      report: { pageSize: 'Letter' },
    });
    const again = load();
    expect(again.config.report.pageSize).toBe('Letter');
    expect(again.sources['report.pageSize']).toBe('user');

    // null: back to the default, and the key leaves the file.
    changeUserSetting(again, 'report.pageSize', null);
    expect(again.config.report.pageSize).toBe('A4');
    expect(again.sources['report.pageSize']).toBe('default');
    expect(JSON.parse(fs.readFileSync(userFile, 'utf8'))).toEqual({ proctoring: { frameRate: 1 } });
  });
});
