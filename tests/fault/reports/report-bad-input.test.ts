// Bad input must still give a report that says what is missing: no answers, no warnings, missing
// or corrupt snapshot files, a missing ID card, characters the font lacks; and invalid input must
// be refused with the field that is wrong.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilError } from '../../../src-main/errors';
import { renderReport } from '../../../src-main/reports/render-report';
import type { ReportInputDraft } from '../../../src-main/reports/types';
import {
  inkFraction,
  loadPage,
  pdfPageTexts,
  pdfText,
  qpdfCheck,
  renderPages,
} from '../../support/pdf-tools';
import { buildReportFixture, makeText } from '../../support/report-fixture';

let dir: string;
let base: ReportInputDraft;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-report-fault-'));
  base = await buildReportFixture(dir, { questions: 3, warnings: 5 });
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function renderToFile(input: unknown, name: string) {
  const report = await renderReport(input, { assetsDir: dir });
  const file = path.join(dir, name);
  await fs.writeFile(file, report.pdf);
  expect((await qpdfCheck(file)).ok).toBe(true);
  return { report, file, text: await pdfText(file) };
}

describe('report with bad or missing input', () => {
  it('says the server evaluates an exam that counts, instead of missing scores', async () => {
    const { text } = await renderToFile(
      { ...base, evaluatedBy: 'server', scores: null, evaluator: null, risk: null },
      'server-evaluated.pdf',
    );
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('Evaluated by the server');
    expect(flat).toContain('this device does not');
    expect(flat).not.toContain('Evaluation scores are missing');
    expect(flat).not.toContain('Evaluator details (model, tokens, cost) are missing');
    expect(flat).not.toContain('No evaluation scores');
  });

  it('renders a session with no answers, no warnings and nothing evaluated, and says so', async () => {
    const { report, text } = await renderToFile(
      {
        ...base,
        session: { ...base.session, endedAt: null },
        scores: null,
        questions: [],
        traits: [],
        suggestions: [],
        warnings: [],
        idVerification: null,
        decision: null,
        evidence: { verdict: 'unverified', finalHash: null },
        evaluator: null,
        risk: { score: 0, factors: [], chainFactor: 1, formula: 'test' },
      },
      'sparse.pdf',
    );
    expect(report.pageCount).toBeGreaterThanOrEqual(2);
    for (const phrase of [
      'Missing or incomplete data',
      'The session did not end normally',
      'Evaluation scores are missing',
      'No questions were recorded for this session',
      'No warnings were raised during this session',
      'No ID verification was recorded',
      'No final hash was recorded',
      'No evaluator details were recorded',
      'No reviewer decision has been recorded yet',
      'No factor contributed to the risk score',
      'No traits were recorded',
    ]) {
      expect(text).toContain(phrase);
    }
  });

  it('renders missing, corrupt and truncated snapshots, a missing ID card and empty answers', async () => {
    const good = await fs.readFile(path.join(dir, 'snapshots', 'w1.jpg'));
    await fs.writeFile(path.join(dir, 'corrupt.jpg'), Buffer.from('this is not a JPEG at all'));
    await fs.writeFile(path.join(dir, 'truncated.jpg'), good.subarray(0, Math.floor(good.length / 2)));
    const warnings = base.warnings.map((w, i) => ({
      ...w,
      snapshotPath: ['snapshots/w1.jpg', 'gone.jpg', 'corrupt.jpg', 'truncated.jpg', null][i]!,
    }));
    const questions = base.questions.map((q, i) => ({
      ...q,
      answer: i === 0 ? null : i === 1 ? '   ' : q.answer,
    }));
    const { report, file, text } = await renderToFile(
      {
        ...base,
        candidate: { ...base.candidate, name: 'Wáng Xiǎomíng 王小明' },
        idVerification: { ...base.idVerification!, cardImagePath: 'no-such-card.jpg' },
        questions,
        warnings,
      },
      'broken.pdf',
    );
    for (const phrase of [
      'Snapshot missing',
      'Snapshot unreadable',
      'No snapshot taken',
      'ID card image missing',
      'No answer was given',
      '2 of 3 questions have no answer (Q1, Q2)',
      'warning #2 gone.jpg (file not found)',
      '2 snapshot files are unreadable',
      'warning #3 corrupt.jpg',
      'warning #4 truncated.jpg',
      '1 warning has no snapshot',
      "outside the embedded font's coverage",
      'Wáng Xiǎomíng',
    ]) {
      expect(text).toContain(phrase);
    }
    expect(report.dataNotes.join('\n')).toContain('王');

    // The one good snapshot is still drawn: solid ink in the first row's thumbnail cell.
    const table = report.sections.find((s) => s.name === 'warnings-table')!;
    const pngs = await renderPages(file, path.join(dir, 'broken-pages'), 40);
    const page = await loadPage(pngs[table.startPage]!, 40);
    const thumb = { x: report.pageSize.width - 150, y: table.startY + 20, width: 100, height: 60 };
    expect(inkFraction(page, thumb)).toBeGreaterThan(0.6);
    // The second row's placeholder is a dashed outline and a label, not a picture.
    expect(inkFraction(page, { ...thumb, y: thumb.y + 70 })).toBeLessThan(0.3);
  });

  it('lists late-found problems at the end when the cover has no room left', async () => {
    const factors = Array.from({ length: 45 }, (_, i) => ({
      warningId: `w${i + 1}`,
      type: `factor_${i + 1}`,
      startedAt: base.session.startedAt,
      weight: 1,
      durationS: 30,
      confidence: 1,
      durationFactor: 1,
      points: 1,
    }));
    const warnings = base.warnings.map((w) => ({ ...w, snapshotPath: 'vanished.jpg' }));
    const { report, file, text } = await renderToFile(
      {
        ...base,
        risk: { score: 45, factors, chainFactor: 1, formula: 'test' },
        decision: { ...base.decision!, comment: makeText(700) },
        warnings,
      },
      'full-cover.pdf',
    );
    expect(report.sections.find((s) => s.name === 'cover')!.endPage).toBeGreaterThan(0);
    const notes = report.sections.find((s) => s.name === 'data-notes');
    expect(notes?.startPage).toBe(report.pageCount - 1);
    // The cover keeps the main risk factors and sums the rest on one line.
    const cover = (await pdfPageTexts(file))
      .slice(0, report.sections.find((s) => s.name === 'cover')!.endPage + 1)
      .join('\n');
    expect(cover).toContain('Factor 7');
    expect(cover).not.toContain('Factor 45');
    expect(cover).toContain('38 more factors — Factor 8, Factor 9');
    // The "Risk factors" section lists every one of them.
    const factorsSection = report.sections.find((s) => s.name === 'risk-factors')!;
    const listed = (await pdfPageTexts(file))
      .slice(factorsSection.startPage, factorsSection.endPage + 1)
      .join('\n');
    for (let i = 1; i <= 45; i++) expect(listed).toMatch(new RegExp(`${i}\\. .*Factor ${i} — 30\\.0 s`));
    expect(text).toContain('5 snapshot files are missing: warning #1 vanished.jpg (file not found)');
  });

  it('splits a timeline with more warning types than fit on a page', async () => {
    const template = base.warnings[0]!;
    const warnings = Array.from({ length: 70 }, (_, i) => ({
      ...template,
      type: `custom_rule_${String(i + 1).padStart(2, '0')}`,
      snapshotPath: null,
    }));
    const { report, text } = await renderToFile({ ...base, warnings }, 'many-types.pdf');
    const timeline = report.sections.find((s) => s.name === 'timeline')!;
    expect(timeline.endPage).toBeGreaterThan(timeline.startPage);
    for (let i = 1; i <= 70; i++) expect(text).toContain(`Custom rule ${String(i).padStart(2, '0')} (1)`);
    // Every chart stays inside the page body: nothing drawn over the footer band.
    const pngs = await renderPages(path.join(dir, 'many-types.pdf'), path.join(dir, 'many-pages'), 40);
    for (let p = timeline.startPage; p <= timeline.endPage; p++) {
      const page = await loadPage(pngs[p]!, 40);
      const band = { x: 0, y: report.pageSize.height - 60, width: report.pageSize.width, height: 12 };
      expect(inkFraction(page, band), `page ${p + 1}`).toBe(0);
    }
  });

  it('refuses invalid input with the path of each bad field', async () => {
    const bad = { ...base, scores: { ...base.scores!, overall: 140 }, exam: { ...base.exam, type: 'XYZ' } };
    const error = await renderReport(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VigilError);
    const vigilError = error as VigilError;
    expect(vigilError.code).toBe('BAD_REQUEST');
    const fields = (vigilError.details?.problems as { field: string }[]).map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['scores.overall', 'exam.type']));
    expect(vigilError.message).toContain('scores.overall');
  });
});
