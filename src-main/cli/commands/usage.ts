// `vigil usage`: the token ledger rolled up cumulatively, per exam or per month, as a table or CSV.
import type { Command } from 'commander';
import { toCsv } from '../../admin/csv';
import { VigilError } from '../../errors';
import type { RollupBy } from '../../evaluation/token-ledger';
import type { UsageRollup } from '../../evaluation/types';
import { withAiContext } from '../../evaluation/cli-context';

interface UsageOptions {
  by?: string;
  csv?: boolean;
  json?: boolean;
}

const usd = (nano: number) => (nano / 1e9).toFixed(6);

export function formatUsage(rows: UsageRollup[], by: RollupBy, csv: boolean): string {
  const header = [
    by === 'cumulative' ? 'total' : by,
    'requests',
    'prompt_tokens',
    'completion_tokens',
    'total_tokens',
    'cost_usd',
    'unpriced_requests',
  ];
  const body = rows.map((r) => [
    r.key,
    r.requests,
    r.promptTokens,
    r.completionTokens,
    r.totalTokens,
    usd(r.costNanoUsd),
    r.unpricedRequests,
  ]);
  // Through the one CSV writer: an exam key or name that arrived from a device must not become a formula.
  if (csv)
    return toCsv(
      header,
      body.map((line) => Object.fromEntries(header.map((h, i) => [h, line[i]]))),
    );
  const table = [header, ...body.map((line) => line.map(String))];
  const widths = header.map((_, i) => Math.max(...table.map((line) => String(line[i]).length)));
  return (
    table
      .map((line) =>
        line
          .map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!)))
          .join('  '),
      )
      .join('\n') + '\n'
  );
}

export async function runUsage(opts: UsageOptions, out: (text: string) => void): Promise<void> {
  const by = (opts.by ?? 'cumulative') as RollupBy;
  if (!['exam', 'month', 'cumulative'].includes(by))
    throw new VigilError('BAD_REQUEST', `--by must be "exam" or "month" (got "${opts.by}").`);
  await withAiContext({ local: true }, async ({ services }) => {
    const rows = services.ledger.rollup(by);
    out(opts.json ? JSON.stringify(rows) + '\n' : formatUsage(rows, by, opts.csv ?? false));
  });
}

export function registerUsageCommand(program: Command): void {
  program
    .command('usage')
    .description('Show AI token usage and cost: cumulative, per exam or per month.')
    .option('--by <what>', 'exam or month (default: cumulative total)')
    .option('--csv', 'print CSV')
    .option('--json', 'print one JSON array')
    .action((opts: UsageOptions) => runUsage(opts, (t) => process.stdout.write(t)));
}
