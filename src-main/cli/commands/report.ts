// `vigil report`: writes a session's evaluation report to a PDF file. `--session` goes through the
// report service (the filed version, or a first one); `--input` renders a ReportInput JSON file
// directly, which needs no store and is how reports are checked and reproduced by hand.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../../config/load';
import { VigilError } from '../../errors';
import {
  formatRiskPoints,
  riskFactorDetail,
  riskFactorLabel,
  type RiskExplanation,
} from '../../../src-preload/risk-explanation';
import { parseReportInput } from '../../reports/parse-report-input';
import { renderReport } from '../../reports/render-report';
import { ReportArchive } from '../../reports/report-archive';
import type { ReportSource } from '../../reports/report-source';
import { ReportService } from '../../reports/report-service';
import { ReportRiskSchema, type ReportPageSize } from '../../reports/types';

export interface ReportCommandDeps {
  /** The store's ReportSource; absent until the store is wired in, then `--session` works. */
  openSource?: (loaded: LoadedConfig) => Promise<ReportSource> | ReportSource;
  loadConfig?: () => LoadedConfig;
}

interface ReportOptions {
  session?: string;
  input?: string;
  out: string;
  pageSize?: string;
  regenerate?: boolean;
  json?: boolean;
}

export function registerReportCommand(program: Command, deps: ReportCommandDeps = {}): void {
  program
    .command('report')
    .description("Write a session's evaluation report (PDF).")
    .option('--session <id>', "the session's id (uses the filed report, or makes its first version)")
    .option('--input <file>', 'render a ReportInput JSON file instead (image paths relative to it)')
    .requiredOption('--out <file>', 'where to write the PDF')
    .option('--page-size <size>', 'A4 or Letter (default: the report.pageSize setting)')
    .option('--regenerate', 'with --session: make and file a new version first')
    .option('--json', 'print one JSON object describing the result')
    .action(async (opts: ReportOptions) => {
      const loaded = (deps.loadConfig ?? loadConfig)();
      const pageSize = pickPageSize(opts.pageSize, loaded.config.report.pageSize);
      let pdf: Buffer;
      let summary: Record<string, unknown>;
      let risk: RiskExplanation | null;
      if (opts.input) {
        const raw = await readJson(opts.input);
        const sessionId = (raw as { session?: { id?: unknown } })?.session?.id;
        if (opts.session && sessionId !== opts.session) {
          throw new VigilError(
            'BAD_REQUEST',
            `${opts.input} is for session ${String(sessionId)}, not ${opts.session}.`,
          );
        }
        const rendered = await renderReport(raw, {
          pageSize,
          assetsDir: path.dirname(path.resolve(opts.input)),
        });
        pdf = rendered.pdf;
        risk = parseReportInput(raw).risk; // rendered above, so it parses
        summary = { pages: rendered.pageCount, missing: rendered.dataNotes };
      } else if (opts.session) {
        if (!deps.openSource) {
          throw new VigilError(
            'UNAVAILABLE',
            'Reports by session need the local store, which this build does not include yet; use --input FILE.json.',
          );
        }
        const source = await deps.openSource(loaded);
        const service = new ReportService({
          source,
          archive: new ReportArchive(path.join(loaded.dataDir, 'reports')),
          pageSize: () => pageSize,
        });
        const result = opts.regenerate
          ? await service.generate(opts.session, 'manual')
          : await service.latestOrGenerate(opts.session);
        pdf = result.pdf;
        // The same stored explanation the PDF was made from (the risk is fixed at the finish).
        risk = ReportRiskSchema.nullable().parse((await source.load(opts.session)).data.risk ?? null);
        summary = { reportId: result.archived.reportId, version: result.archived.version };
      } else {
        throw new VigilError('BAD_REQUEST', 'Say which report to write: --session ID or --input FILE.json.');
      }
      const out = path.resolve(opts.out);
      const tmp = `${out}.${process.pid}.tmp`;
      await fs.writeFile(tmp, pdf);
      await fs.rename(tmp, out);
      if (opts.json)
        process.stdout.write(JSON.stringify({ out, bytes: pdf.length, pageSize, ...summary, risk }) + '\n');
      else process.stdout.write(`wrote ${out} (${pdf.length} bytes, ${pageSize})\n${riskLines(risk)}`);
    });
}

/** The risk score and each factor, one line each, as the PDF lists them. */
function riskLines(risk: RiskExplanation | null): string {
  if (!risk) return 'Session risk: not scored (the session did not finish on the device)\n';
  const lines = [`Session risk ${Math.round(risk.score)} / 100`];
  if (risk.factors.length === 0) lines.push('  no warning this exam weighs was raised');
  for (const f of risk.factors) {
    lines.push(
      `  ${formatRiskPoints(f.points).padStart(6)}  ${riskFactorLabel(f.type)} — ${riskFactorDetail(f)} (warning ${f.warningId})`,
    );
  }
  return lines.join('\n') + '\n';
}

function pickPageSize(option: string | undefined, configured: ReportPageSize): ReportPageSize {
  if (option === undefined) return configured;
  const match = (['A4', 'Letter'] as const).find((s) => s.toLowerCase() === option.toLowerCase());
  if (!match) throw new VigilError('BAD_REQUEST', `--page-size must be A4 or Letter, not "${option}".`);
  return match;
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new VigilError('NOT_FOUND', `Cannot read ${file}: ${(error as Error).message}`, { file });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new VigilError('BAD_REQUEST', `${file} is not valid JSON: ${(error as Error).message}`, { file });
  }
}
