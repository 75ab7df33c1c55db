// Electronegativity over Vigil's sources through scripts/electronegativity-check.mjs: passes on the
// sources (its SARIF written and every result graded), fails on a deliberately insecure app. Also
// evaluates the real CSP with the evaluator Electronegativity uses, since it cannot read a CSP that
// is built at run time.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../src-main/security/csp';

const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-eng-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface SarifResult {
  ruleId: string;
  properties?: { severity?: string; manualReview?: boolean };
}

async function check(args: string[]): Promise<{ code: number; stdout: string; results: SarifResult[] }> {
  const sarif = path.join(dir, `${args.length ? 'fixture' : 'sources'}.sarif`);
  let code = 0;
  let stdout: string;
  try {
    ({ stdout } = await run(
      process.execPath,
      ['scripts/electronegativity-check.mjs', ...args, '--sarif', sarif],
      {
        timeout: 120_000,
      },
    ));
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    code = failed.code;
    stdout = failed.stdout;
  }
  const parsed = JSON.parse(fs.readFileSync(sarif, 'utf8')) as { runs: { results: SarifResult[] }[] };
  return { code, stdout, results: parsed.runs[0]!.results };
}

// The two script runs are concurrent: each mostly waits on Electronegativity's (offline) locale fetch.
describe('electronegativity gate', () => {
  it.concurrent(
    'passes Vigil sources: no unreviewed high or medium finding, every file analysed',
    async ({ expect }) => {
      const { code, stdout, results } = await check([]);
      expect(stdout).toMatch(/0 failing high\/medium/);
      expect(stdout).toMatch(/0 files not analysed/);
      expect(code).toBe(0);
      for (const result of results)
        expect(result.properties?.severity).toMatch(/^(HIGH|MEDIUM|LOW|INFORMATIONAL)$/);
      // Only findings Electronegativity itself marks for manual review can be accepted as reviewed.
      for (const result of results.filter((r) => ['HIGH', 'MEDIUM'].includes(r.properties?.severity ?? '')))
        expect(result.properties?.manualReview).toBe(true);
    },
  );

  it.concurrent('fails an insecure Electron app', async ({ expect }) => {
    const { code, stdout, results } = await check(['--input', 'tests/fixtures/electronegativity/insecure']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAIL +HIGH +CONTEXT_ISOLATION_JS_CHECK/);
    expect(results.map((r) => r.ruleId)).toEqual(
      expect.arrayContaining(['SANDBOX_JS_CHECK', 'WEB_SECURITY_JS_CHECK', 'LIMIT_NAVIGATION_GLOBAL_CHECK']),
    );
  });

  it('finds no high or medium weakness in the real CSP (the evaluator Electronegativity uses)', () => {
    interface Finding {
      severity: number;
      directive: string;
    }
    const csp = createRequire(import.meta.url)('@doyensec/csp-evaluator') as {
      CspParser: new (text: string) => { csp: unknown };
      CspEvaluator: new (csp: unknown, version: unknown) => { evaluate(): Finding[] };
      Version: { CSP3: unknown };
      severities: Record<string, number>;
    };
    const evaluate = (text: string) =>
      new csp.CspEvaluator(new csp.CspParser(text).csp, csp.Version.CSP3).evaluate();
    const serious = (findings: Finding[]) =>
      findings.filter((f) =>
        [csp.severities.HIGH, csp.severities.MEDIUM, csp.severities.SYNTAX].includes(f.severity),
      );
    expect(serious(evaluate(contentSecurityPolicy()))).toEqual([]);
    expect(serious(evaluate(contentSecurityPolicy({ websocketOrigin: 'ws://127.0.0.1:4321' })))).toEqual([]);
    // The evaluator does catch a weak policy.
    expect(serious(evaluate("script-src 'self' 'unsafe-inline'; object-src *")).length).toBeGreaterThan(0);
  });
});
