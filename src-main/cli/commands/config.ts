import type { Command } from 'commander';
import { describeIssue, loadConfig } from '../../config/load';
import { secretKeys } from '../../config/schema';

export function registerConfigCommand(program: Command): void {
  program
    .command('config')
    .description(
      'Show the configuration in effect, where each value came from, and any problem (exit 1 if any).',
    )
    .option('--json', 'print one JSON object')
    .action((opts: { json?: boolean }) => {
      const loaded = loadConfig();
      const rows = Object.entries(loaded.sources).map(([key, source]) => {
        const [section, name] = key.split('.') as [string, string];
        const raw = (loaded.config as unknown as Record<string, Record<string, unknown>>)[section]?.[name];
        const value = secretKeys.has(key) && raw !== undefined ? '(set)' : raw;
        return { key, value, source, locked: loaded.lockedKeys.includes(key) };
      });
      if (opts.json) {
        process.stdout.write(
          JSON.stringify({
            files: loaded.files,
            policy: loaded.policy,
            settings: rows,
            issues: loaded.issues,
          }) + '\n',
        );
      } else {
        const { policy } = loaded;
        const signature = policy.refused ? `${policy.signature}, REFUSED` : policy.signature;
        process.stdout.write(
          `policy file: ${loaded.files.policy} (signature: ${signature}${policy.signatureRequired ? ', required' : ''})\nuser settings: ${loaded.files.user}\n`,
        );
        for (const row of rows) {
          const managed = row.locked ? ' (managed by IT policy)' : '';
          process.stdout.write(
            `${row.key} = ${JSON.stringify(row.value) ?? '(unset)'}  [${row.source}]${managed}\n`,
          );
        }
        for (const issue of loaded.issues) process.stdout.write(`problem: ${describeIssue(issue)}\n`);
      }
      if (loaded.issues.length > 0) process.exitCode = 1;
    });
}
