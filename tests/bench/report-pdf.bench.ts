// Benchmark for issue 7: time and peak memory to produce the evaluation PDF for a 60-minute
// session with 100 snapshots (goal ≤ 1 s), plus the 10-question / 50-warning session and the
// large stress case from the tests for context. Each scenario: one cold render (fonts parsed,
// sharp started), then repeated warm renders; wall and CPU time, PDF size, peak RSS while rendering.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { renderReport } from '../../src-main/reports/render-report';
import type { ReportInputDraft } from '../../src-main/reports/types';
import { buildReportFixture, makeText } from '../support/report-fixture';
import { percentile, writeBenchResult } from './support/result';

const RUNS = 7;
const GOAL_MS = 1000;

interface Scenario {
  key: string;
  build: (dir: string) => Promise<ReportInputDraft>;
}

const scenarios: Scenario[] = [
  {
    key: 'session60min100snapshots',
    build: (dir) =>
      buildReportFixture(dir, {
        questions: 10,
        warnings: 100,
        snapshots: 100,
        sessionMinutes: 60,
        answerWords: 300,
      }),
  },
  {
    key: 'questions10warnings50',
    build: (dir) =>
      buildReportFixture(dir, {
        questions: 10,
        warnings: 50,
        snapshots: 50,
        sessionMinutes: 45,
        answerWords: 300,
      }),
  },
  {
    key: 'large200warnings5000words',
    build: async (dir) => {
      const input = await buildReportFixture(dir, {
        questions: 3,
        warnings: 200,
        snapshots: 100,
        sessionMinutes: 60,
      });
      input.questions = input.questions.map((q, i) => ({ ...q, answer: makeText(5000, i + 3) }));
      return input;
    },
  },
];

function sampleRss(): { stop: () => number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 2);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

async function measure(input: ReportInputDraft, dir: string) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const rendered = await renderReport(input, { assetsDir: dir });
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    wall,
    cpuMs: (cpu.user + cpu.system) / 1000,
    bytes: rendered.pdf.length,
    pages: rendered.pageCount,
  };
}

const figures: Record<string, number | string | boolean | null> = {
  loadAverage1mAtStart: Number(os.loadavg()[0]!.toFixed(2)),
  runsPerScenario: RUNS,
};
const goals: Record<string, { target: string; met: boolean }> = {};
const root = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-bench-report-'));
try {
  for (const scenario of scenarios) {
    const dir = path.join(root, scenario.key);
    const input = await scenario.build(dir);
    global.gc?.();
    const baseRss = process.memoryUsage.rss();
    const sampler = sampleRss();
    const cold = await measure(input, dir);
    const warm = [];
    for (let i = 0; i < RUNS; i++) warm.push(await measure(input, dir));
    const peakRss = sampler.stop();
    const walls = warm.map((m) => m.wall);
    const median = percentile(walls, 50);
    const k = scenario.key;
    Object.assign(figures, {
      [`${k}.pages`]: cold.pages,
      [`${k}.pdfKiB`]: Math.round(cold.bytes / 1024),
      [`${k}.coldMs`]: Math.round(cold.wall),
      [`${k}.medianMs`]: Math.round(median),
      [`${k}.p90Ms`]: Math.round(percentile(walls, 90)),
      [`${k}.minMs`]: Math.round(Math.min(...walls)),
      [`${k}.medianCpuMs`]: Math.round(
        percentile(
          warm.map((m) => m.cpuMs),
          50,
        ),
      ),
      [`${k}.peakRssMiB`]: Math.round(peakRss / 2 ** 20),
      [`${k}.rssGrowthMiB`]: Math.round((peakRss - baseRss) / 2 ** 20),
    });
    if (k === 'session60min100snapshots') {
      figures['goalRatio.medianOverLimit'] = Number((median / GOAL_MS).toFixed(3));
      goals['60-minute session, 100 snapshots: warm PDF ≤ 1 s (median)'] = {
        target: `≤ ${GOAL_MS} ms`,
        met: median <= GOAL_MS,
      };
      goals['same, first render in a fresh process ≤ 1 s'] = {
        target: `≤ ${GOAL_MS} ms`,
        met: cold.wall <= GOAL_MS,
      };
    }
  }
} finally {
  await fs.rm(root, { recursive: true, force: true });
}

writeBenchResult({
  name: 'report-pdf',
  figures,
  goals,
  notes:
    'Wall times on a shared 2-core machine (load average recorded); CPU ms is main-thread plus sharp worker time ' +
    'of this process. Cold = first render in the process (font parsing, sharp start-up). Thumbnails are made in ' +
    "sharp's thread pool while the text sections are drawn.",
});
