// The per-exam minimum app version: an older client is refused with how to update; a current one
// passes. Also the semver order it relies on and the staged-rollout file edit.
import { describe, expect, it } from 'vitest';
import {
  assertExamVersion,
  checkExamVersion,
  compareVersions,
  examVersionBlock,
  updateHintOf,
} from '../../../src-main/update/version-gate';
import { setStagingPercentage, stagingPercentageOf } from '../../../src-main/release/staged-rollout';
import { isVigilError } from '../../../src-main/errors';

const exam = { examId: 'e1', examTitle: 'Data Engineer screening', minAppVersion: '1.4.0' };

describe('minimum app version per exam', () => {
  it('refuses an older client, saying what is needed and how to update', () => {
    const verdict = checkExamVersion(exam, '1.3.9', { autoUpdateEnabled: true });
    expect(verdict.allowed).toBe(false);
    if (verdict.allowed) return;
    expect(verdict.message).toContain(
      '"Data Engineer screening" needs Vigil 1.4.0 or later; this computer has 1.3.9.',
    );
    expect(verdict.message).toMatch(/restart it/);
  });

  it('tells the candidate to restart when the update is already downloaded', () => {
    const verdict = checkExamVersion(exam, '1.3.9', { autoUpdateEnabled: true, downloadedVersion: '1.4.1' });
    expect(!verdict.allowed && verdict.message).toMatch(/1\.4\.1 is already downloaded: restart Vigil/);
  });

  it('at the exam list, says how far the download of a new enough version is', () => {
    const status = {
      state: 'downloading' as const,
      currentVersion: '1.2.0',
      version: '1.4.0',
      percent: 40,
      error: null,
      detail: null,
      examInProgress: false,
      canRestart: false,
      lastCheckedAt: null,
      nextCheckAt: null,
    };
    expect(examVersionBlock(exam, '1.2.0', updateHintOf(status, true))).toEqual({
      required: '1.4.0',
      current: '1.2.0',
      message:
        '"Data Engineer screening" needs Vigil 1.4.0 or later; this computer has 1.2.0. Vigil is downloading version 1.4.0: keep it open and connected, then restart it when it offers to.',
    });
    expect(examVersionBlock(exam, '1.4.0', updateHintOf(status, true))).toBeNull();
    // Updates off on this build: the advice is IT's, not a download that will never come.
    const off = { ...status, state: 'disabled' as const, version: null, percent: null };
    expect(examVersionBlock(exam, '1.2.0', updateHintOf(off, true))?.message).toMatch(
      /managed by your IT team/,
    );
    expect(
      examVersionBlock({ ...exam, minAppVersion: 'soon' }, '1.2.0', { autoUpdateEnabled: true }),
    ).toBeNull();
  });

  it('points to IT when IT pinned the version', () => {
    const verdict = checkExamVersion(exam, '1.0.0', { autoUpdateEnabled: false });
    expect(!verdict.allowed && verdict.message).toMatch(
      /managed by your IT team: ask them to install Vigil 1\.4\.0/,
    );
  });

  it('throws UPDATE_REQUIRED with the versions in details', () => {
    let caught: unknown;
    try {
      assertExamVersion(exam, '1.3.9', { autoUpdateEnabled: true });
    } catch (error) {
      caught = error;
    }
    expect(isVigilError(caught) && caught.code).toBe('UPDATE_REQUIRED');
    expect(isVigilError(caught) && caught.details).toEqual({
      examId: 'e1',
      requiredVersion: '1.4.0',
      currentVersion: '1.3.9',
    });
  });

  it('lets a current or newer client through, and any client when the exam sets no minimum', () => {
    expect(checkExamVersion(exam, '1.4.0', { autoUpdateEnabled: true })).toEqual({ allowed: true });
    expect(checkExamVersion(exam, '2.0.0', { autoUpdateEnabled: true })).toEqual({ allowed: true });
    expect(checkExamVersion({ ...exam, minAppVersion: null }, '0.0.1', { autoUpdateEnabled: true })).toEqual({
      allowed: true,
    });
    expect(() => assertExamVersion(exam, '1.4.0', { autoUpdateEnabled: true })).not.toThrow();
  });

  it('orders versions by semver precedence, pre-releases before their release', () => {
    const sorted = ['1.0.0', '1.0.0-beta.11', '0.9.9', '1.0.0-beta.2', '1.0.0-alpha', '1.10.0', '1.2.0'].sort(
      compareVersions,
    );
    expect(sorted).toEqual([
      '0.9.9',
      '1.0.0-alpha',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0',
      '1.2.0',
      '1.10.0',
    ]);
    expect(() => compareVersions('1.0', '1.0.0')).toThrow(/not a semantic version: 1\.0/);
  });
});

describe('staged rollout', () => {
  const latest =
    'version: 1.4.0\nfiles:\n  - url: Vigil-1.4.0-win-x64.exe\n    sha512: abc\npath: Vigil-1.4.0-win-x64.exe\n';

  it('sets, changes and clears stagingPercentage in latest.yml', () => {
    const staged = setStagingPercentage(latest, 20);
    expect(stagingPercentageOf(staged)).toBe(20);
    expect(staged.startsWith(latest.trimEnd())).toBe(true);
    expect(stagingPercentageOf(setStagingPercentage(staged, 50))).toBe(50);
    expect(stagingPercentageOf(setStagingPercentage(staged, 100))).toBeNull();
  });

  it('refuses a bad percentage or a file that is not an update file', () => {
    expect(() => setStagingPercentage(latest, 120)).toThrow(/0 to 100/);
    expect(() => setStagingPercentage('hello: world\n', 10)).toThrow(/not an electron-builder update file/);
  });
});
