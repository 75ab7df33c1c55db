// The `vigil` command line. Each command lives in its own file under commands/.
import { Command, CommanderError } from 'commander';
import { appVersion } from '../config/app-version';
import { registerAnalyzeCommand } from './commands/analyze';
import { registerConfigCommand } from './commands/config';
import { registerDbCommand } from './commands/db';
import { registerDemoCommand } from './commands/demo';
import { registerEvaluateCommand } from './commands/evaluate';
import { registerDoctorCommand } from './commands/doctor';
import { registerHostCommand } from './commands/host';
import { registerReportCommand } from './commands/report';
import { openLocalReportSource } from '../session/open-report-source';
import { registerPolicyCommand } from './commands/policy';
import { registerQuestionsCommand } from './commands/questions';
import { registerUsageCommand } from './commands/usage';
import { registerMediaCommand } from './commands/media';
import { registerAdminCommand } from './commands/admin';
import { registerMigrateCommand } from './commands/migrate';
import { registerSyncCommand } from './commands/sync';
import { registerPurgeCommand } from './commands/purge';
import { registerWorkerCommand } from './commands/worker';

export async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('vigil')
    .description(
      'Vigil: proctored interviews and exams, analysed on the device, synced to a central PostgreSQL.',
    )
    .version(appVersion())
    .exitOverride()
    .showHelpAfterError();
  registerHostCommand(program);
  registerDemoCommand(program);
  registerConfigCommand(program);
  registerAnalyzeCommand(program);
  registerReportCommand(program, { openSource: openLocalReportSource });
  registerPolicyCommand(program);
  registerEvaluateCommand(program);
  registerQuestionsCommand(program);
  registerUsageCommand(program);
  registerDoctorCommand(program);
  registerMediaCommand(program);
  registerAdminCommand(program);
  registerMigrateCommand(program);
  registerSyncCommand(program);
  registerDbCommand(program);
  registerPurgeCommand(program);
  registerWorkerCommand(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`vigil: ${(error as Error).message}\n`);
    return 1;
  }
}
