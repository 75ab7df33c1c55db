// The release pipeline (.github/workflows/release.yml) cannot run here (no Electron download, no
// Windows or macOS), so `npm test` checks it: valid against GitHub's workflow schema (action-validator,
// a wasm build of the validator), and doing what IT is promised — installers built on the three OSes
// with signing from secrets, each installed silently and smoke-tested, the smoke tests existing.
import fs from 'node:fs';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const FILE = '.github/workflows/release.yml';
const text = fs.readFileSync(FILE, 'utf8');

interface Step {
  name?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
}
interface Job {
  needs?: string;
  strategy: { matrix: { include: Array<Record<string, string>> } };
  steps: Step[];
}
const workflow = parse(text) as { jobs: Record<string, Job> };

describe('release workflow', () => {
  it('is a valid GitHub Actions workflow', () => {
    expect(validateWorkflow(text).errors).toEqual([]);
  });

  it('the validator does catch a broken workflow (so the check above can fail)', () => {
    const broken = text.replace('runs-on: ${{ matrix.os }}', 'runs_on: ${{ matrix.os }}');
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
  });

  it('builds signed installers on Windows, macOS and Linux from secrets only', () => {
    const build = workflow.jobs.build!;
    expect(build.strategy.matrix.include.map((entry) => entry.os).sort()).toEqual([
      'macos-latest',
      'ubuntu-latest',
      'windows-latest',
    ]);
    const dist = build.steps.find((step) => step.run?.includes('scripts/dist.mjs'));
    expect(dist?.env).toBeDefined();
    for (const [name, value] of Object.entries(dist!.env!)) {
      expect(value, name).toMatch(/^\$\{\{ (secrets|vars)\.[A-Z0-9_]+ \}\}$/);
    }
    expect(Object.keys(dist!.env!)).toEqual(
      expect.arrayContaining(['WIN_CSC_LINK', 'CSC_LINK', 'APPLE_API_KEY', 'VIGIL_AZURE_ENDPOINT']),
    );
  });

  it('installs each installer silently and smoke-tests the installed app; Linux runs under Xvfb', () => {
    const smoke = workflow.jobs['install-smoke']!;
    expect(smoke.needs).toBe('build');
    expect(smoke.strategy.matrix.include.map((entry) => entry.kind).sort()).toEqual([
      'deb',
      'msi',
      'nsis',
      'pkg',
    ]);
    const runs = smoke.steps.map((step) => step.run ?? '').join('\n');
    expect(runs).toContain("-ArgumentList '/S'");
    expect(runs).toMatch(/msiexec\.exe -ArgumentList '\/i', \$msi\.FullName, '\/qn'/);
    expect(runs).toContain('installer -pkg');
    expect(runs).toContain('apt-get install -y -qq ./installers/*.deb');
    const tests = [...workflow.jobs.build!.steps, ...smoke.steps].filter((step) =>
      step.run?.includes('test:electron'),
    );
    for (const step of tests) {
      const file = step.run!.match(/tests\/electron\/[\w.]+\.electron\.ts/)?.[0];
      expect(file && fs.existsSync(file), step.run).toBe(true);
      if (step.if === "runner.os == 'Linux'") expect(step.run).toMatch(/^xvfb-run /);
    }
    expect(tests.length).toBe(4);
  });
});
