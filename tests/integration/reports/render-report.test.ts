// Renders a complete report and reads it back as a reader would: every page rendered by poppler,
// ink where each section says it drew, text that pdftotext can find, and a clean qpdf check.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatOffset, offsetSeconds } from '../../../src-main/reports/format';
import { renderReport, type RenderedReport } from '../../../src-main/reports/render-report';
import { formatRiskPoints, riskFactorDetail, riskFactorLabel } from '../../../src-preload/risk-explanation';
import type { ReportInputDraft } from '../../../src-main/reports/types';
import {
  inkFraction,
  loadPage,
  pdfLayoutLines,
  pdfOutline,
  pdfPageSize,
  pdfPageTexts,
  pdfText,
  qpdfCheck,
  renderPages,
  type PageRaster,
} from '../../support/pdf-tools';
import { buildReportFixture, MULTI_SCRIPT_NAME, WARNING_TYPES } from '../../support/report-fixture';

const DPI = 40;
const sectionOrder = [
  'cover',
  'id-verification',
  'scores-chart',
  'questions',
  'traits',
  'timeline',
  'warnings-table',
  'risk-factors',
  'evidence',
  'evaluator',
  'versions',
];
const headings: Record<string, string> = {
  'id-verification': 'ID verification',
  'scores-chart': 'Scores',
  questions: 'Questions and answers',
  traits: 'Traits and suggestions',
  timeline: 'Proctoring timeline',
  'warnings-table': 'Warnings',
  'risk-factors': 'Risk factors',
  evidence: 'Evidence integrity',
  evaluator: 'Evaluation method',
  versions: 'Report versions',
};

let dir: string;
let input: ReportInputDraft;
let report: RenderedReport;
let pdfFile: string;
let pages: PageRaster[];

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-report-'));
  input = await buildReportFixture(dir, { questions: 5, warnings: 12 });
  report = await renderReport(input, { assetsDir: dir });
  pdfFile = path.join(dir, 'report.pdf');
  await fs.writeFile(pdfFile, report.pdf);
  const pngs = await renderPages(pdfFile, path.join(dir, 'pages'), DPI);
  pages = await Promise.all(pngs.map((png) => loadPage(png, DPI)));
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('evaluation report PDF', () => {
  it('passes qpdf --check and is A4 by default', async () => {
    const check = await qpdfCheck(pdfFile);
    expect(check.output).toContain('No syntax or stream encoding errors');
    expect(check.ok).toBe(true);
    const info = await pdfPageSize(pdfFile);
    expect(info.pages).toBe(report.pageCount);
    expect(info.width).toBeCloseTo(595.28, 0);
    expect(info.height).toBeCloseTo(841.89, 0);
    expect(pages).toHaveLength(report.pageCount);
    expect(report.dataNotes).toEqual([]);
  });

  it('has the sections in the order the issue gives, each with ink where it was drawn', () => {
    const names = report.sections.map((s) => s.name);
    expect(names).toEqual(sectionOrder);
    for (let i = 1; i < report.sections.length; i++) {
      const prev = report.sections[i - 1]!;
      const cur = report.sections[i]!;
      expect(cur.startPage * 10_000 + cur.startY).toBeGreaterThanOrEqual(
        prev.endPage * 10_000 + prev.endY - 1,
      );
    }
    const { width, height } = report.pageSize;
    for (const s of report.sections) {
      const page = pages[s.startPage]!;
      const bottom = s.endPage === s.startPage ? s.endY : height - 62;
      const region = { x: 50, y: s.startY, width: width - 100, height: Math.max(10, bottom - s.startY) };
      const ink = inkFraction(page, region);
      expect(ink, `ink in section ${s.name}`).toBeGreaterThan(0.01);
    }
  });

  it('draws the score chart, the timeline bars and the snapshot thumbnails as solid ink', () => {
    const chart = report.sections.find((s) => s.name === 'scores-chart')!;
    // The four bars occupy the band right of the 110 pt label column.
    const bars = inkFraction(pages[chart.startPage]!, {
      x: 165,
      y: chart.startY + 6,
      width: 150,
      height: 90,
    });
    expect(bars).toBeGreaterThan(0.5);
    const table = report.sections.find((s) => s.name === 'warnings-table')!;
    const thumbs = inkFraction(pages[table.startPage]!, {
      x: report.pageSize.width - 50 - 100,
      y: table.startY + 20,
      width: 100,
      height: 60,
    });
    expect(thumbs).toBeGreaterThan(0.6);
  });

  it('puts a running footer on every page and leaves the side margins blank', async () => {
    const texts = await pdfPageTexts(pdfFile);
    expect(texts).toHaveLength(report.pageCount);
    texts.forEach((text, i) => {
      expect(text).toContain(`Page ${i + 1} of ${report.pageCount}`);
      expect(text).toContain(`Report ${input.reportId}`);
    });
    const { width, height } = report.pageSize;
    pages.forEach((page, i) => {
      expect(
        inkFraction(page, { x: 50, y: height - 46, width: width - 100, height: 20 }),
        `footer p${i + 1}`,
      ).toBeGreaterThan(0.01);
      // Below the title band, nothing is drawn in the outer 30 pt of either side.
      expect(inkFraction(page, { x: 0, y: 120, width: 30, height: height - 160 })).toBe(0);
      expect(inkFraction(page, { x: width - 30, y: 120, width: 30, height: height - 160 })).toBe(0);
    });
  });

  it('lets pdftotext find the name in several scripts, every question and every warning type', async () => {
    const text = await pdfText(pdfFile);
    expect(text).toContain(MULTI_SCRIPT_NAME);
    for (const q of input.questions) expect(text).toContain(q.question);
    for (const type of WARNING_TYPES) expect(text).toContain(type);
    for (const word of ['Δημήτρης', 'Дмитрий', 'Łukasiewicz', 'ZOË ÅNGSTRÖM-ŁUKASIEWICZ'])
      expect(text).toContain(word);
    const cover = (await pdfPageTexts(pdfFile))[0]!;
    for (const fact of [
      'Backend engineer — distributed systems',
      input.session.id,
      'Skills (SKL)',
      '7 / 10',
      '45 min',
      'Moderate risk',
    ]) {
      expect(cover).toContain(fact);
    }
    for (const section of Object.values(headings)) expect(text).toContain(section);
    expect(text).toContain(input.evidence.finalHash!);
    expect(text).toContain('gpt-4o-mini');
    expect(text).toContain('$0.0042');
  });

  it('explains the risk score: each factor on its own line, with its inputs and points', async () => {
    const risk = input.risk!;
    const section = report.sections.find((s) => s.name === 'risk-factors')!;
    const pages = await pdfPageTexts(pdfFile);
    const listed = pages.slice(section.startPage, section.endPage + 1).join(' ');
    expect(listed).toContain(`Risk score ${risk.score} / 100, the sum of the points below.`);
    const byTime = [...risk.factors].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    const lines = await pdfLayoutLines(pdfFile);
    byTime.forEach((f, i) => {
      const start = `${i + 1}. ${formatOffset(offsetSeconds(input.session.startedAt, f.startedAt))} ${riskFactorLabel(f.type)} — ${riskFactorDetail(f)}`;
      expect(listed).toContain(start);
      // The points are on the factor's own line.
      expect(lines.find((l) => l.startsWith(start))).toMatch(new RegExp(`\\${formatRiskPoints(f.points)}$`));
    });
    // The cover names the same factors with the same points.
    for (const f of risk.factors) {
      expect(pages[0]).toContain(`${riskFactorLabel(f.type)} — ${riskFactorDetail(f)}`);
      expect(pages[0]).toContain(formatRiskPoints(f.points));
    }
    expect(pages[0]).not.toContain('No factor contributed');
  });

  it('starts each section on the page it reports', async () => {
    const texts = await pdfPageTexts(pdfFile);
    for (const s of report.sections) {
      const heading = headings[s.name];
      if (heading) expect(texts[s.startPage], s.name).toContain(heading);
    }
  });

  it('has a bookmark for each section pointing at the page it starts on', async () => {
    const outline = await pdfOutline(pdfFile);
    expect(outline[0]).toEqual({ title: 'Summary', page: 1 });
    const expected = report.sections
      .filter((s) => headings[s.name])
      .map((s) => ({ title: headings[s.name]!, page: s.startPage + 1 }));
    expect(outline.slice(1)).toEqual(expected);
  });

  it('uses Letter when asked', async () => {
    const letter = await renderReport(input, { assetsDir: dir, pageSize: 'Letter' });
    const file = path.join(dir, 'letter.pdf');
    await fs.writeFile(file, letter.pdf);
    const info = await pdfPageSize(file);
    expect([info.width, info.height]).toEqual([612, 792]);
  });
});
