// The large case: 200 warnings, 100 snapshots, answers of 5,000 words and a name in
// several scripts. Long answers must wrap and continue across pages without losing a word, the
// warnings table must continue with its header on each page, and every page must render.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport, type RenderedReport } from '../../../src-main/reports/render-report';
import type { ReportInputDraft } from '../../../src-main/reports/types';
import { inkFraction, loadPage, pdfPageTexts, qpdfCheck, renderPages } from '../../support/pdf-tools';
import { buildReportFixture, makeText, MULTI_SCRIPT_NAME } from '../../support/report-fixture';

let dir: string;
let input: ReportInputDraft;
let report: RenderedReport;
let file: string;
let texts: string[];

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-report-large-'));
  input = await buildReportFixture(dir, { questions: 3, warnings: 200, snapshots: 100, sessionMinutes: 60 });
  // Each answer is 5,000 words with a unique first and last word, so a lost page would show.
  input.questions = input.questions.map((q, i) => ({
    ...q,
    answer: `BEGIN${i + 1} ${makeText(4998, 11 + i)} END${i + 1}`,
  }));
  report = await renderReport(input, { assetsDir: dir });
  file = path.join(dir, 'large.pdf');
  await fs.writeFile(file, report.pdf);
  texts = await pdfPageTexts(file);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('report for a large session', () => {
  it('is a valid PDF with every page numbered', async () => {
    expect((await qpdfCheck(file)).ok).toBe(true);
    expect(report.pageCount).toBeGreaterThan(30);
    expect(texts).toHaveLength(report.pageCount);
    texts.forEach((t, i) => expect(t).toContain(`Page ${i + 1} of ${report.pageCount}`));
    expect(texts.join(' ')).toContain(MULTI_SCRIPT_NAME);
  });

  it('wraps and paginates 5,000-word answers without losing a word', () => {
    const questions = report.sections.find((s) => s.name === 'questions')!;
    expect(questions.endPage - questions.startPage).toBeGreaterThanOrEqual(20);
    // Pages an answer flows onto say which question they continue.
    const continued = texts.filter((t) => /Question \d of 3 \(continued\)/.test(t)).length;
    expect(continued).toBeGreaterThanOrEqual(18);
    const all = texts.join(' ');
    for (let i = 1; i <= 3; i++) {
      const begin = all.indexOf(`BEGIN${i}`);
      const end = all.indexOf(`END${i}`);
      expect(begin).toBeGreaterThan(0);
      expect(end).toBeGreaterThan(begin);
      // Word count between the markers, across page breaks (running header/footer excluded).
      const body = all
        .slice(begin, end)
        .replace(/Page \d+ of \d+/g, ' ')
        .replace(/Report \S+ · v\d+/g, ' ')
        .replace(/Vigil evaluation report/g, ' ')
        .replace(/Question \d+ of \d+ \(continued\)/g, ' ')
        .replace(/Zoë .*?— Backend engineer…?( — distributed systems)?/g, ' ');
      expect(body.split(/\s+/).filter((w) => /^\p{L}+\.*$/u.test(w)).length).toBe(4998);
    }
  });

  it('lists all 200 warnings, repeating the table header on each page', () => {
    const table = report.sections.find((s) => s.name === 'warnings-table')!;
    const tablePages = texts.slice(table.startPage, table.endPage + 1);
    expect(tablePages.length).toBeGreaterThanOrEqual(18);
    for (const t of tablePages) {
      expect(t).toContain('# Time Type Duration Confidence Verdict');
      expect(t).toContain('Snapshot');
    }
    const warningTypesInTable = tablePages.join(' ');
    expect(warningTypesInTable).toContain('200 ');
    expect((warningTypesInTable.match(/\b(high|medium|low) severity/g) ?? []).length).toBe(200);
    expect((warningTypesInTable.match(/No snapshot taken/g) ?? []).length).toBe(100);
  });

  it('puts ink on every page body', async () => {
    const pngs = await renderPages(file, path.join(dir, 'pages'), 24);
    expect(pngs).toHaveLength(report.pageCount);
    const { width, height } = report.pageSize;
    for (const [i, png] of pngs.entries()) {
      const page = await loadPage(png, 24);
      const body = inkFraction(page, { x: 50, y: 62, width: width - 100, height: height - 124 });
      expect(body, `page ${i + 1}`).toBeGreaterThan(0.01);
    }
  });
});
