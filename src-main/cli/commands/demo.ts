// `vigil demo`: a whole proctored session, headless, on the embedded defaults (see demo/run-demo.ts).
import type { Command } from 'commander';
import { runDemo } from '../../demo/run-demo';

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
    });
}
