// `vigil admin …`: administration from the command line on the same services as the admin screens
// (users, proctor logins and assignments, exams, enrollment codes, devices, usage, CSV lists,
// retention purge, candidate export and erasure). Connects with --db or central.url as an admin
// (or the owner) login.
import { sslModeOption } from '../ssl-option';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { AdminService, type ExamInput, type ListName } from '../../admin/admin-service';
import { parseCandidates } from '../../admin/csv-read';
import { RetentionService } from '../../admin/retention';
import { createWorkerLogin } from '../../central/admin';
import { openPostgres, type CentralStore, type SslMode } from '../../central/connect';
import { loadConfig } from '../../config/load';
import { VigilError } from '../../errors';
import { ConsoleSession } from '../../review/console-session';
import { registerAdminBuildsCommand } from './admin-builds';

interface Common {
  db?: string;
  sslMode?: SslMode;
  json?: boolean;
}

function open(opts: Common): { store: CentralStore; dataDir: string } {
  const loaded = loadConfig();
  const url = opts.db ?? loaded.config.central.url;
  if (!url)
    throw new VigilError(
      'CONFIG_INVALID',
      'Say which server: --db postgres://… or set central.url (VIGIL_CENTRAL_URL).',
    );
  const { sslMode, caFile } = loaded.config.central;
  const withOptions = new URL(url);
  withOptions.searchParams.set('options', '-c jit=off');
  return {
    store: openPostgres({
      url: withOptions.toString(),
      ...(opts.sslMode ? { sslMode: opts.sslMode } : {}),
      defaultSslMode: sslMode,
      ...(caFile ? { caFile } : {}),
    }),
    dataDir: loaded.dataDir,
  };
}

function print(opts: Common, value: unknown, text: string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

async function withAdmin<O extends Common>(
  opts: O,
  run: (admin: AdminService, store: CentralStore, dataDir: string) => Promise<void>,
): Promise<void> {
  const { store, dataDir } = open(opts);
  try {
    await run(new AdminService(store.query), store, dataDir);
  } finally {
    await store.close();
  }
}

async function readJsonFile(file: string): Promise<unknown> {
  return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
}

async function writeFileAtomic(file: string, data: string | Buffer): Promise<string> {
  const out = path.resolve(file);
  await fs.writeFile(`${out}.tmp`, data);
  await fs.rename(`${out}.tmp`, out);
  return out;
}

export function registerAdminCommand(program: Command): void {
  const admin = program
    .command('admin')
    .description('Administer exams, people, enrollment, usage and retention on the central server.');
  const common = (c: Command) =>
    c
      .option('--db <url>', 'postgres:// URL of an admin login (default: central.url)')
      .addOption(sslModeOption())
      .option('--json', 'print JSON');

  registerAdminBuildsCommand(admin, {
    common,
    withStore: (o, run) => withAdmin(o, (_a, store) => run(store)),
    print,
  });

  common(
    admin.command('add-user').description('Add a candidate, proctor or admin (without a database login).'),
  )
    .requiredOption('--email <email>')
    .option('--name <name>', 'display name', '')
    .option('--role <role>', 'candidate | proctor | admin', 'candidate')
    .action((o: Common & { email: string; name: string; role: 'candidate' | 'proctor' | 'admin' }) =>
      withAdmin(o, async (a) => {
        const id = await a.addUser(o);
        print(o, { id }, `added ${o.role} ${o.email}: ${id}`);
      }),
    );

  common(admin.command('add-staff').description('Add a proctor or admin with their own PostgreSQL login.'))
    .requiredOption('--email <email>')
    .requiredOption('--login <role>', 'PostgreSQL login name')
    .option('--name <name>', 'display name', '')
    .option('--role <role>', 'proctor | admin', 'proctor')
    .option('--password-env <var>', 'environment variable holding the password', 'VIGIL_STAFF_PASSWORD')
    .action(
      (
        o: Common & {
          email: string;
          login: string;
          name: string;
          role: 'proctor' | 'admin';
          passwordEnv: string;
        },
      ) =>
        withAdmin(o, async (a) => {
          const password = process.env[o.passwordEnv];
          if (!password)
            throw new VigilError(
              'BAD_REQUEST',
              `Put the new login's password in $${o.passwordEnv} (never on the command line).`,
            );
          const id = await a.addStaff({ ...o, password });
          print(o, { id, login: o.login }, `added ${o.role} ${o.email} with login ${o.login}: ${id}`);
        }),
    );

  common(
    admin
      .command('add-worker')
      .description('Add a PostgreSQL login for a central worker (`vigil worker`), member of vigil_worker.'),
  )
    .requiredOption('--login <role>', 'PostgreSQL login name')
    .option('--password-env <var>', 'environment variable holding the password', 'VIGIL_WORKER_PASSWORD')
    .action((o: Common & { login: string; passwordEnv: string }) =>
      withAdmin(o, async (_a, store) => {
        const password = process.env[o.passwordEnv];
        if (!password || password.length < 12)
          throw new VigilError(
            'BAD_REQUEST',
            `Put the new login's password (at least 12 characters) in $${o.passwordEnv} (never on the command line).`,
          );
        await createWorkerLogin(store.db, { roleName: o.login, password });
        print(
          o,
          { login: o.login },
          `added worker login ${o.login}: run \`vigil worker --central postgres://${o.login}@…\``,
        );
      }),
    );

  common(admin.command('assign').description('Assign a proctor to an exam (or --remove).'))
    .requiredOption('--exam <id>')
    .requiredOption('--proctor <userId>')
    .option('--remove', 'unassign instead')
    .action((o: Common & { exam: string; proctor: string; remove?: boolean }) =>
      withAdmin(o, async (a) => {
        if (o.remove) await a.unassignProctor(o.exam, o.proctor);
        else await a.assignProctor(o.exam, o.proctor);
        print(o, { ok: true }, o.remove ? 'unassigned' : 'assigned');
      }),
    );

  common(
    admin
      .command('exam')
      .description('Create an exam, or update one with --id, from a JSON file (ExamInput).'),
  )
    .requiredOption(
      '--file <exam.json>',
      '{"title","type","difficulty","keyQuestions","policy","accommodationProfiles","retentionDays","uploadMode",…}',
    )
    .option('--id <examId>', 'update this exam')
    .action((o: Common & { file: string; id?: string }) =>
      withAdmin(o, async (a) => {
        const id = await a.saveExam((await readJsonFile(o.file)) as ExamInput, o.id);
        print(o, { id }, `exam ${id} saved`);
      }),
    );

  common(
    admin
      .command('start-code')
      .description(
        'Issue the start code that lets an exam start offline in the room (the proctor reads it out at the start).',
      ),
  )
    .requiredOption('--exam <id>')
    .action((o: Common & { exam: string }) =>
      withAdmin(o, async (a) => {
        const issued = await a.issueStartCode(o.exam);
        print(
          o,
          issued,
          `start code for exam ${o.exam}: ${issued.code} (give it out at the start; devices that enroll or connect from now on can start offline with it)`,
        );
      }),
    );

  common(
    admin
      .command('enroll')
      .description('Create one-time enrollment codes for a CSV of candidates; writes a mail-merge CSV.'),
  )
    .requiredOption('--exam <id>')
    .requiredOption(
      '--candidates <file.csv>',
      "CSV with email, name and (optional) accommodation columns; accommodation names one of the exam's profiles",
    )
    .requiredOption('--out <file.csv>', 'mail-merge CSV (email, name, exam, code, expires_at)')
    .option('--ttl-hours <n>', 'code lifetime', '72')
    .action((o: Common & { exam: string; candidates: string; out: string; ttlHours: string }) =>
      withAdmin(o, async (a) => {
        const candidates = parseCandidates(await fs.readFile(o.candidates, 'utf8'));
        const codes = await a.createEnrollments({ examId: o.exam, candidates, ttlHours: Number(o.ttlHours) });
        const exam = await a.getExam(o.exam);
        const out = await writeFileAtomic(o.out, AdminService.mailMergeCsv(String(exam.title), codes));
        print(o, { out, count: codes.length }, `${codes.length} codes written to ${out}`);
      }),
    );

  common(admin.command('revoke').description('Revoke an enrollment code or a device.'))
    .option('--enrollment <id>')
    .option('--device <id>')
    .action((o: Common & { enrollment?: string; device?: string }) =>
      withAdmin(o, async (a) => {
        if (o.device) await a.revokeDevice(o.device);
        else if (o.enrollment) await a.revokeEnrollment(o.enrollment);
        else throw new VigilError('BAD_REQUEST', 'Say what to revoke: --enrollment ID or --device ID.');
        print(o, { ok: true }, 'revoked');
      }),
    );

  common(
    admin
      .command('list <name>')
      .description(
        'List users | exams | enrollments | devices | sessions | usage | receipts (as CSV with --csv).',
      ),
  )
    .option('--search <text>')
    .option('--kind <kind>', 'role / exam type / state / status filter')
    .option('--exam <id>')
    .option('--csv <file>', 'write CSV (formula cells neutralised) instead of printing')
    .action((name: string, o: Common & { search?: string; kind?: string; exam?: string; csv?: string }) =>
      withAdmin(o, async (a) => {
        if (!['users', 'exams', 'enrollments', 'devices', 'sessions', 'usage', 'receipts'].includes(name)) {
          throw new VigilError(
            'BAD_REQUEST',
            `Unknown list "${name}": users, exams, enrollments, devices, sessions, usage or receipts.`,
          );
        }
        const filter = {
          ...(o.search ? { search: o.search } : {}),
          ...(o.kind ? { kind: o.kind } : {}),
          ...(o.exam ? { examId: o.exam } : {}),
        };
        if (o.csv) {
          const out = await writeFileAtomic(o.csv, await a.exportCsv(name as ListName, filter));
          print(o, { out }, `wrote ${out}`);
        } else {
          const rows = await a.list(name as ListName, filter);
          print(o, rows, rows.map((r) => JSON.stringify(r)).join('\n'));
        }
      }),
    );

  common(admin.command('usage').description('Token usage and cost: cumulative by day and the total.')).action(
    (o: Common) =>
      withAdmin(o, async (a) => {
        const totals = await a.usageTotals();
        print(o, totals, `total ${totals.totalTokens} tokens, $${totals.totalCost.toFixed(4)}`);
      }),
  );

  const receiptOut = async (o: Common & { receipt?: string }, receipt: unknown, summary: string) => {
    if (o.receipt) await writeFileAtomic(o.receipt, `${JSON.stringify(receipt, null, 2)}\n`);
    print(o, receipt, summary);
  };

  common(
    admin.command('purge').description("Delete sessions past their exam's retention; --dry-run lists them."),
  )
    .option('--dry-run', 'show what would be deleted')
    .option('--receipt <file>', 'write the receipt (JSON) here')
    .action((o: Common & { dryRun?: boolean; receipt?: string }) =>
      withAdmin(o, async (_a, store, dataDir) => {
        const retention = new RetentionService(store.db as never, {
          sessionDirs: [ConsoleSession.reportsDirFor(dataDir)],
        });
        const receipt = await retention.purge({ dryRun: Boolean(o.dryRun) });
        await receiptOut(
          o,
          receipt,
          `${o.dryRun ? 'would delete' : 'deleted'} ${receipt.sessions.length} sessions (receipt ${receipt.sha256})`,
        );
      }),
    );

  common(
    admin
      .command('export-candidate')
      .description("Write one archive (tar) with a candidate's rows, files and reports."),
  )
    .requiredOption('--candidate <id>')
    .requiredOption('--out <file.tar>')
    .action((o: Common & { candidate: string; out: string }) =>
      withAdmin(o, async (_a, store, dataDir) => {
        const retention = new RetentionService(store.db as never, {
          sessionDirs: [ConsoleSession.reportsDirFor(dataDir)],
        });
        const result = await retention.exportCandidate(o.candidate);
        const out = await writeFileAtomic(o.out, result.archive);
        print(
          o,
          { out, sha256: result.sha256, entries: result.entries },
          `wrote ${out} (${result.entries.length} files, sha256 ${result.sha256})`,
        );
      }),
    );

  common(admin.command('erase').description('Erase a candidate and all their data; --dry-run lists it.'))
    .requiredOption('--candidate <id>')
    .option('--dry-run', 'show what would be erased')
    .option('--receipt <file>', 'write the receipt (JSON) here')
    .action((o: Common & { candidate: string; dryRun?: boolean; receipt?: string }) =>
      withAdmin(o, async (_a, store, dataDir) => {
        const retention = new RetentionService(store.db as never, {
          sessionDirs: [ConsoleSession.reportsDirFor(dataDir)],
        });
        const receipt = await retention.eraseCandidate(o.candidate, { dryRun: Boolean(o.dryRun) });
        await receiptOut(
          o,
          receipt,
          `${o.dryRun ? 'would erase' : 'erased'} candidate ${o.candidate} (receipt ${receipt.sha256})`,
        );
      }),
    );
}
