// `vigil demo --json` runs a whole proctored session on the embedded defaults (SQLite, PGlite, the
// local evaluator, the sample face video): the last line is its JSON summary, and every file and
// count it names must be real. An AI key and a central URL in the environment must not leak in.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../support/app';
import { runVigil, type CliResult } from '../../support/cli';
import { pdfText } from '../../support/pdf-tools';
import type { DemoSummary } from '../../../src-main/demo/summary';

let dir: string;
let run: CliResult;

beforeAll(() => {
  dir = makeTempDir('vigil-demo-test-');
  run = runVigil(
    ['demo', '--json'],
    {
      VIGIL_DATA_DIR: path.join(dir, 'data'),
      VIGIL_POLICY_FILE: path.join(dir, 'none.json'),
      // Closed ports: were either used, the demo would fail instead of running on the defaults.
      OPENAI_API_KEY: 'sk-demo-must-ignore-this',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      VIGIL_CENTRAL_URL: 'postgres://nobody@127.0.0.1:9/none',
    },
    400_000,
  );
}, 420_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('vigil demo', () => {
  it('runs a whole proctored session and ends with one JSON summary line', async () => {
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    // A successful demo has an evaluation and a PDF (the summary type allows null for a failed one).
    const summary = JSON.parse(lines.at(-1)!) as DemoSummary & {
      evaluation: NonNullable<DemoSummary['evaluation']>;
      pdf: string;
    };
    expect(Object.keys(summary).sort()).toEqual(
      [
        'central',
        'evaluation',
        'pdf',
        'recording',
        'report',
        'sessionId',
        'snapshots',
        'sync',
        'warnings',
      ].sort(),
    );
    expect(summary.sessionId).toMatch(/^[0-9a-f-]{36}$/);

    // The sample video's stretches with nobody and with two people, each with a snapshot.
    expect(summary.warnings.no_face).toBeGreaterThanOrEqual(1);
    expect(summary.warnings.multiple_faces).toBeGreaterThanOrEqual(1);
    expect(summary.snapshots).toBeGreaterThanOrEqual(2);

    // The merged recording: the sample video is 18 s long.
    expect(summary.recording.durationS).toBeGreaterThan(15);
    expect(summary.recording.durationS).toBeLessThan(21);
    expect(fs.statSync(summary.recording.path).size).toBeGreaterThan(10_000);

    expect(summary.evaluation.evaluator).toBe('local');
    // The evaluation shown is the central worker's (its job handlers run in-process on PGlite).
    expect(summary.evaluation.evaluatedBy).toBe('worker');
    // The scripted answers address their questions: the heuristic scores them well above a blank.
    expect(summary.evaluation.overall).toBeGreaterThan(40);
    for (const key of ['overall', 'professionalism', 'subjectKnowledge', 'clarity'] as const) {
      expect(Number.isInteger(summary.evaluation[key])).toBe(true);
      expect(summary.evaluation[key]).toBeGreaterThanOrEqual(0);
      expect(summary.evaluation[key]).toBeLessThanOrEqual(100);
    }
    expect(fs.readFileSync(summary.pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // Synced: nothing pending; receipts for the ID image, the snapshots, the video and the PDF.
    expect(summary.sync.pending).toBe(0);
    expect(summary.sync.receipts).toBeGreaterThanOrEqual(5);

    // Central, read back from the central store: the ID result, the merged video's hash (the file
    // the demo recorded), the risk's factors and the device's report version.
    const session = summary.central.session!;
    expect(session.idVerificationStatus).toBe('verified');
    const video = createHash('sha256').update(fs.readFileSync(summary.recording.path)).digest('hex');
    expect(session.videoSha256).toBe(video);
    const points = (session.riskFactors as { points: number }[]).map((f) => f.points);
    expect(points.length).toBeGreaterThanOrEqual(2); // no_face and multiple_faces at least
    expect(points.every((p) => p > 0)).toBe(true);
    expect(session.reportVersions.map((r) => [r.version, r.filedBy])).toContainEqual([1, 'device']);
    // The report of record came from central: made by the worker (in-process) after the server's
    // evaluation, its PDF read back from the central store and showing the server's score.
    expect(summary.report).toMatchObject({
      source: 'central',
      madeBy: 'worker',
      workerId: 'demo (in-process worker)',
      version: 1,
      reason: 'evaluation',
    });
    expect(session.reportVersions).toContainEqual({
      version: 1,
      reportId: summary.report!.reportId,
      filedBy: 'worker',
    });
    const centralPdf = fs.readFileSync(summary.report!.path);
    expect(createHash('sha256').update(centralPdf).digest('hex')).toBe(summary.report!.sha256);
    expect(summary.report!.path.startsWith(path.join(dir, 'data'))).toBe(true);
    const text = await pdfText(summary.report!.path);
    expect(text).toContain(`${summary.evaluation.overall} Overall`);
    expect(text).toContain(summary.report!.reportId);
    // The server's own risk, from the warnings it holds.
    expect(session.serverRiskScore).toBeGreaterThan(0);

    // The readable part says the same, and the data landed in the scratch data folder.
    expect(run.stdout).toContain(`Session ${summary.sessionId}`);
    expect(run.stdout).toMatch(/Central store \(pglite\) seeded/);
    expect(run.stdout).toMatch(/ID check: verified \(document L898902C3/);
    expect(run.stdout).toMatch(/Central: +\d+ events, [1-9]\d* warnings, [5-9]\d* blobs of this session/);
    // The demo registers its own build, so the server does not flag it as an unknown app build.
    expect(run.stdout).toMatch(/Server: +no flags of its own/);
    expect(summary.pdf.startsWith(path.join(dir, 'data'))).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'data', 'logs')).some((f) => f.endsWith('.log'))).toBe(true);
  });

  it('writes the session report from the local store with `vigil report --session`', () => {
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { sessionId: string };
    const out = path.join(dir, 'report.pdf');
    const report = runVigil(['report', '--session', summary.sessionId, '--out', out], {
      VIGIL_DATA_DIR: path.join(dir, 'data'),
      VIGIL_POLICY_FILE: path.join(dir, 'none.json'),
    });
    expect(report.stderr).not.toMatch(/error/i);
    expect(report.status).toBe(0);
    expect(fs.readFileSync(out).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const unknown = runVigil(['report', '--session', '00000000-0000-4000-8000-000000000000', '--out', out], {
      VIGIL_DATA_DIR: path.join(dir, 'data'),
      VIGIL_POLICY_FILE: path.join(dir, 'none.json'),
    });
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/No session/);
  });

  it('`vigil doctor` reads what is waiting to be sent from the same data folder', () => {
    const doctor = runVigil(['doctor', '--json'], {
      VIGIL_DATA_DIR: path.join(dir, 'data'),
      VIGIL_POLICY_FILE: path.join(dir, 'none.json'),
    });
    const report = JSON.parse(doctor.stdout) as { checks: { id: string; status: string; summary: string }[] };
    const sync = report.checks.find((c) => c.id === 'sync');
    expect(sync?.status).toBe('ok');
    expect(sync?.summary).toBe('nothing waiting to upload');
  });
});
