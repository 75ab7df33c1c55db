// `vigil demo`: a whole proctored session, headless, on the embedded defaults (see demo/run-demo.ts).
import type { Command } from 'commander';
import { runDemo, type DemoSummary } from '../../demo/run-demo';

/** What did not complete, so a half-working demo never exits 0. */
function incomplete(summary: DemoSummary): string[] {
  const problems: string[] = [];
  if (!summary.evaluation) problems.push('no evaluation');
  if (!summary.pdf) problems.push('no PDF report on the device');
  if (!summary.report) problems.push('no central report made by the worker');
  if (summary.sync.pending > 0) problems.push(`${summary.sync.pending} item(s) still waiting to sync`);
  return problems;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'Run a whole proctored session headlessly on the embedded defaults (sample video, local evaluator) and print a summary.',
    )
    .option('--json', 'end the output with one JSON line: the session summary')
    .action(async (opts: { json?: boolean }) => {
      const summary = await runDemo((line) => process.stdout.write(line + '\n'));
      if (opts.json) process.stdout.write(JSON.stringify(summary) + '\n');
      const problems = incomplete(summary);
      if (problems.length > 0) {
        process.stderr.write(`vigil demo: the session did not complete: ${problems.join(', ')}.\n`);
        process.exitCode = 1;
      }
    });
}
