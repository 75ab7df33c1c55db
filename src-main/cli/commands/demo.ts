import type { Command } from 'commander';
import { runDemo } from '../../demo/run-demo';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Run the Vigil demo headlessly on embedded defaults and print a summary.')
    .option('--json', 'end the output with one JSON object')
    .action(async (opts: { json?: boolean }) => {
      const summary = await runDemo((line) => process.stdout.write(line + '\n'));
      if (opts.json) process.stdout.write(JSON.stringify(summary) + '\n');
    });
}
