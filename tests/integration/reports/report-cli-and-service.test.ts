// `vigil report --input FILE.json --out FILE.pdf` end to end through the real CLI entry point,
// and the report service's versioning: regenerating after a decision files a second version whose
// PDF lists the first.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src-main/cli/main';
import { ReportArchive } from '../../../src-main/reports/report-archive';
import type { ReportSource, ReportSourceData } from '../../../src-main/reports/report-source';
import { ReportService } from '../../../src-main/reports/report-service';
import type { ReportInputDraft } from '../../../src-main/reports/types';
import { defaultPolicy } from '../../../src-main/proctoring/policy';
import { localStoreFile } from '../../../src-main/session/runtime';
import { sessionRisk } from '../../../src-main/session/session-risk';
import { openLocalStore } from '../../../src-main/store/local-store';
import { finishSession, recordWarning, startSession } from '../../../src-main/store/sessions';
import {
  formatRiskPoints,
  riskFactorDetail,
  riskFactorLabel,
  type RiskExplanation,
} from '../../../src-preload/risk-explanation';
import { pdfLayoutLines, pdfPageSize, pdfText, qpdfCheck } from '../../support/pdf-tools';
import { buildReportFixture, MULTI_SCRIPT_NAME } from '../../support/report-fixture';

let dir: string;
let input: ReportInputDraft;
let inputFile: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-report-cli-'));
  input = await buildReportFixture(dir, { questions: 2, warnings: 4 });
  inputFile = path.join(dir, 'input.json');
  await fs.writeFile(inputFile, JSON.stringify(input));
});

afterEach(() => {
  process.env = { ...savedEnv };
  vi.restoreAllMocks();
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  const code = await main(['node', 'vigil', ...args]);
  vi.restoreAllMocks();
  return { code, out, err };
}

describe('vigil report', () => {
  it('renders --input JSON to --out with the configured page size', async () => {
    process.env.VIGIL_DATA_DIR = path.join(dir, 'data');
    process.env.VIGIL_REPORT_PAGE_SIZE = 'Letter';
    const out = path.join(dir, 'cli.pdf');
    const result = await runCli(['report', '--input', inputFile, '--out', out, '--json']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.out) as {
      out: string;
      pageSize: string;
      pages: number;
      missing: string[];
    };
    expect(summary).toMatchObject({ out, pageSize: 'Letter', missing: [] });
    expect((await qpdfCheck(out)).ok).toBe(true);
    const info = await pdfPageSize(out);
    expect([info.width, info.height, info.pages]).toEqual([612, 792, summary.pages]);
    const text = await pdfText(out);
    expect(text).toContain(MULTI_SCRIPT_NAME);
    // Snapshot paths in the JSON resolve against its folder: no thumbnail is reported missing.
    expect(text).not.toContain('Snapshot missing');

    const a4 = path.join(dir, 'cli-a4.pdf');
    expect((await runCli(['report', '--input', inputFile, '--out', a4, '--page-size', 'a4'])).code).toBe(0);
    expect((await pdfPageSize(a4)).width).toBeCloseTo(595.28, 0);
  });

  it('fails with a message the user can act on', async () => {
    process.env.VIGIL_DATA_DIR = path.join(dir, 'data');
    const noStore = await runCli(['report', '--session', 'abc', '--out', path.join(dir, 'x.pdf')]);
    expect(noStore.code).toBe(1);
    expect(noStore.err).toContain('use --input FILE.json');

    const badJson = path.join(dir, 'bad.json');
    await fs.writeFile(badJson, '{ not json');
    const bad = await runCli(['report', '--input', badJson, '--out', path.join(dir, 'y.pdf')]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('is not valid JSON');

    const invalid = path.join(dir, 'invalid.json');
    await fs.writeFile(invalid, JSON.stringify({ ...input, candidate: { name: '' } }));
    const wrong = await runCli(['report', '--input', invalid, '--out', path.join(dir, 'z.pdf')]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('candidate.name');
    await expect(fs.access(path.join(dir, 'z.pdf'))).rejects.toThrow();

    const neither = await runCli(['report', '--out', path.join(dir, 'w.pdf')]);
    expect(neither.code).toBe(1);
    expect(neither.err).toContain('--session ID or --input FILE.json');
  });
});

describe('vigil report --session', () => {
  it("prints every factor of the session's risk and the PDF lists each one, as the finish stored them", async () => {
    const dataDir = path.join(dir, 'device');
    await fs.mkdir(dataDir, { recursive: true });
    const store = await openLocalStore(localStoreFile(dataDir));
    const t0 = Date.parse('2026-05-04T10:00:00.000Z');
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    // A practice exam evaluated on the device: the only kind whose risk the device's report shows.
    store.raw
      .prepare(
        `INSERT INTO cached_exams (id, definition, sealed, fetched_at) VALUES ('exam-cli', ?, x'00', ?)`,
      )
      .run(JSON.stringify({ id: 'exam-cli', evaluation: 'device' }), at(0));
    const sessionId = store.write('session', (tx) => {
      const id = startSession(tx, { examId: 'exam-cli', startedAt: at(0) });
      recordWarning(tx, {
        sessionId: id,
        type: 'no_face',
        severity: 'high',
        startedAt: at(60),
        endedAt: at(80),
        confidence: 0.9,
      });
      recordWarning(tx, {
        sessionId: id,
        type: 'multiple_faces',
        severity: 'high',
        startedAt: at(200),
        endedAt: at(245),
        confidence: 0.8,
      });
      recordWarning(tx, {
        sessionId: id,
        type: 'focus_lost',
        severity: 'medium',
        startedAt: at(300),
        endedAt: at(304),
        confidence: 1,
      });
      finishSession(tx, {
        sessionId: id,
        status: 'completed',
        risk: sessionRisk(tx, id, defaultPolicy, at(600)),
        endedAt: at(600),
      });
      return id;
    });
    await store.close();
    process.env = { ...savedEnv, VIGIL_DATA_DIR: dataDir };

    const out = path.join(dir, 'session.pdf');
    const text = await runCli(['report', '--session', sessionId, '--out', out]);
    expect(text.err).toBe('');
    expect(text.code).toBe(0);
    const json = await runCli(['report', '--session', sessionId, '--out', out, '--json']);
    const { risk } = JSON.parse(json.out) as { risk: RiskExplanation };
    expect(risk.factors.map((f) => f.type)).toEqual(['multiple_faces', 'no_face', 'focus_lost']);
    expect(risk.score).toBeGreaterThan(0);
    expect(risk.factors.reduce((s, f) => s + f.points, 0)).toBeCloseTo(risk.score, 6);

    // The terminal: the score, then one line per factor with its points, inputs and warning.
    const lines = text.out.split('\n');
    expect(lines[1]).toBe(`Session risk ${risk.score} / 100`);
    for (const f of risk.factors) {
      expect(lines).toContain(
        `  ${formatRiskPoints(f.points).padStart(6)}  ${riskFactorLabel(f.type)} — ${riskFactorDetail(f)} (warning ${f.warningId})`,
      );
    }
    // The PDF: the cover's score and each factor on its own line in "Risk factors".
    expect(await pdfText(out)).toContain(`Risk score ${risk.score} / 100, the sum of the points below.`);
    const pdfLines = await pdfLayoutLines(out);
    for (const f of risk.factors) {
      const line = pdfLines.find(
        (l) => l.includes(`${riskFactorLabel(f.type)} — ${riskFactorDetail(f)}`) && /^\d+\./.test(l),
      );
      expect(line).toMatch(new RegExp(`\\${formatRiskPoints(f.points)}$`));
    }
  });
});

describe('ReportService', () => {
  it('files a new version after a decision and lists the earlier one in it', async () => {
    const { reportId: _r, version: _v, generatedAt: _g, previousVersions: _p, ...base } = input;
    let current: ReportSourceData = { ...base, decision: null };
    const source: ReportSource = {
      load: async (sessionId) => {
        expect(sessionId).toBe(input.session.id);
        return { data: current, assetsDir: dir };
      },
    };
    const archived: string[] = [];
    const service = new ReportService({
      source,
      archive: new ReportArchive(path.join(dir, 'archive')),
      pageSize: () => 'A4',
      onArchived: async (_s, entry) => {
        archived.push(entry.reportId);
      },
    });
    const first = await service.generate(input.session.id, 'session_end');
    expect(first.archived.version).toBe(1);
    expect(first.archived.reportId).toMatch(/^VR-5B1F0C2E-v1-[0-9A-F]{6}$/);

    current = { ...base, decision: input.decision! };
    const second = await service.generate(input.session.id, 'decision');
    expect(second.archived.version).toBe(2);
    expect(archived).toEqual([first.archived.reportId, second.archived.reportId]);
    expect((await service.list(input.session.id)).map((v) => v.reason)).toEqual(['session_end', 'decision']);

    const file = path.join(dir, 'v2.pdf');
    await fs.writeFile(file, second.pdf);
    const text = await pdfText(file);
    expect(text).toContain(first.archived.reportId);
    expect(text).toContain('Session end');
    expect(text).toContain(`Report ${second.archived.reportId} · v2`);
    expect(text).toContain('Needs follow-up');

    const latest = await service.latestOrGenerate(input.session.id);
    expect(latest.archived.version).toBe(2);
    expect(latest.pdf.equals(second.pdf)).toBe(true);
  });
});
