// `vigil worker --central URL`: the trusted central worker (src-main/worker/). Runs until SIGINT or
// SIGTERM, then lets running jobs finish. Its AI key is this machine's: `ai.apiKey` in its own
// config, or OPENAI_API_KEY; candidate devices never need one.
import { sslModeOption } from '../ssl-option';
import type { Command } from 'commander';
import type { SslMode } from '../../central/connect';
import { describeIssue, loadConfig } from '../../config/load';
import { VigilError } from '../../errors';
import { startCentralWorker, type WorkerEvent } from '../../worker/central-worker';

interface WorkerOptions {
  central?: string;
  sslMode?: SslMode;
  caFile?: string;
  local?: boolean;
  id?: string;
  concurrency: string;
  expireSeconds?: string;
  retryDelaySeconds?: string;
  maintenanceSeconds?: string;
  json?: boolean;
}

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new VigilError('BAD_REQUEST', `${name} must be a whole number of at least 1 (got "${value}").`);
  return n;
}

function describe(event: WorkerEvent): string {
  switch (event.kind) {
    case 'started':
      return `worker ${event.workerId} started (evaluator: ${event.evaluator}, model ${event.model})`;
    case 'evaluated':
      return `session ${event.sessionId}: ${event.outcome.replaceAll('_', ' ')}`;
    case 'risk':
      return `session ${event.sessionId}: server risk ${event.score}`;
    case 'report':
      return `session ${event.sessionId}: ${event.outcome === 'filed' ? `report version ${event.version} filed (${event.reason})` : 'report unchanged'}`;
    case 'transcribed':
      return `session ${event.sessionId}: ${event.outcome.transcribed} answer(s) transcribed, ${event.outcome.failed} not transcribable`;
    case 'questions':
      return `exam ${event.examId}: questions ${event.outcome.replaceAll('_', ' ')}`;
    case 'relayed':
      return `queued ${event.jobs} job(s)`;
    case 'skipped':
      return `session ${event.sessionId}: ${event.queue} skipped, ${event.reason}`;
    case 'retention':
      return (
        `retention: purged ${event.purgedSessions} session(s) (${event.blobBytes} blob bytes), ` +
        `expired ${event.expiredDevices} device credential(s); receipts ${event.receipts.join(', ') || 'none'}`
      );
    case 'error':
      return `error: ${event.message}`;
  }
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'Run a central worker: evaluates finished sessions, scores their risk, transcribes spoken answers, generates exam questions and makes reports on the server (holds the AI key); purges by retention and expires device credentials on the schedule worker.retentionCron.',
    )
    .option(
      '--central <url>',
      'postgres:// URL of a worker login (member of vigil_worker); default: central.url',
    )
    .addOption(sslModeOption())
    .option('--ca-file <file>', 'CA certificate for verify-ca / verify-full')
    .option('--local', 'evaluate with the local evaluator even when an AI key is configured')
    .option('--id <name>', 'name recorded with each evaluation (default: host:pid)')
    .option(
      '--concurrency <n>',
      'evaluation and risk jobs run at once per queue (reports: one at a time)',
      '4',
    )
    .option(
      '--expire-seconds <n>',
      'a job unfinished this long after it started is retried by another worker',
    )
    .option('--retry-delay-seconds <n>', 'wait before a failed or expired job runs again (default 30)')
    .option('--maintenance-seconds <n>', 'how often expired jobs are looked for (default 30)')
    .option('--json', 'one JSON line per event')
    .action(async (opts: WorkerOptions) => {
      const loaded = loadConfig();
      const aiIssues = loaded.issues.filter(
        (i) => i.key.startsWith('ai.') || i.key.startsWith('central.') || i.key.startsWith('worker.'),
      );
      if (aiIssues.length > 0)
        throw new VigilError(
          'CONFIG_INVALID',
          `Fix the configuration first: ${aiIssues.map(describeIssue).join('; ')}`,
        );
      const url = opts.central ?? loaded.config.central.url;
      if (!url)
        throw new VigilError(
          'CONFIG_INVALID',
          'The worker needs the central PostgreSQL server: pass --central postgres://… or set central.url.',
        );
      const expire = positive('--expire-seconds', opts.expireSeconds);
      const retryDelay =
        opts.retryDelaySeconds === undefined
          ? undefined
          : opts.retryDelaySeconds === '0'
            ? 0
            : positive('--retry-delay-seconds', opts.retryDelaySeconds);
      const caFile = opts.caFile ?? loaded.config.central.caFile;
      const worker = await startCentralWorker({
        url,
        ...(opts.sslMode ? { sslMode: opts.sslMode } : {}),
        defaultSslMode: loaded.config.central.sslMode,
        ...(caFile ? { caFile } : {}),
        ai: loaded.config.ai,
        retentionCron: loaded.config.worker.retentionCron,
        reportPageSize: loaded.config.report.pageSize,
        ...(opts.local ? { local: true } : {}),
        ...(opts.id ? { workerId: opts.id } : {}),
        concurrency: positive('--concurrency', opts.concurrency) ?? 4,
        ...(opts.maintenanceSeconds
          ? { maintenanceIntervalSeconds: positive('--maintenance-seconds', opts.maintenanceSeconds) }
          : {}),
        jobs: {
          ...(expire ? { expireInSeconds: expire } : {}),
          ...(retryDelay !== undefined ? { retryDelaySeconds: retryDelay } : {}),
        },
        onEvent: (event) =>
          process.stdout.write((opts.json ? JSON.stringify(event) : describe(event)) + '\n'),
      });
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await worker.stop();
    });
}
