// `vigil doctor`: one report on whether this machine can run an exam, for IT and support. Every
// check runs even when an earlier one fails, so one run names every problem.
import type { LoadedConfig } from '../config/load';
import { bundledPaths, type BundledPaths } from './bundled-files';
import { binariesCheck } from './checks/binaries';
import { centralCheck } from './checks/central';
import { databaseCheck } from './checks/database';
import { filesCheck } from './checks/files';
import { policyCheck } from './checks/policy';
import { poolerCheck } from './checks/pooler';
import { syncCheck } from './checks/sync';
import { versionsCheck } from './checks/versions';
import type { DoctorCheck, DoctorReport, PendingSyncSource } from './types';

export interface DoctorOptions {
  loaded: LoadedConfig;
  appVersion: string;
  /** Overrides of the bundled file locations (tests, unusual installs). */
  paths?: Partial<BundledPaths>;
  pendingSync?: PendingSyncSource;
  timeoutMs?: number;
}

async function guarded(
  id: string,
  title: string,
  run: () => Promise<DoctorCheck> | DoctorCheck,
): Promise<DoctorCheck> {
  try {
    return await run();
  } catch (error) {
    return { id, title, status: 'fail', summary: `the check itself failed: ${(error as Error).message}` };
  }
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const { loaded } = options;
  const media = loaded.config.media;
  const paths: BundledPaths = {
    ...bundledPaths({
      ...(media.ffmpegPath ? { ffmpegPath: media.ffmpegPath } : {}),
      ...(media.ffprobePath ? { ffprobePath: media.ffprobePath } : {}),
    }),
    ...options.paths,
  };
  const checks = await Promise.all([
    guarded('versions', 'Versions', () => versionsCheck(options.appVersion)),
    guarded('policy', 'Policy and settings', () => policyCheck(loaded)),
    guarded('files', 'Models and binaries', () => filesCheck(paths)),
    guarded('binaries', 'ffmpeg and ffprobe', () => binariesCheck(paths, options.timeoutMs ?? 15_000)),
    guarded('database', 'Local database', () => databaseCheck(loaded.dataDir)),
    guarded('central', 'Central server', () =>
      centralCheck(loaded.config.central, options.timeoutMs ?? 5_000),
    ),
    guarded('pooler', 'Connection pooler', () =>
      poolerCheck(loaded.config.central, options.timeoutMs ?? 5_000),
    ),
    guarded('sync', 'Pending sync', () => syncCheck(options.pendingSync)),
  ]);
  const failed = checks.some((c) => c.status === 'fail');
  return { ok: !failed, generatedAt: new Date().toISOString(), checks, exitCode: failed ? 1 : 0 };
}

const mark: Record<DoctorCheck['status'], string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

export function formatDoctorReport(report: DoctorReport): string {
  const lines = report.checks.map((c) => `[${mark[c.status]}] ${c.title}: ${c.summary}`);
  const files = report.checks.find((c) => c.id === 'files')?.details?.files as
    { role: string; path: string; sha256?: string }[] | undefined;
  for (const f of files ?? []) if (f.sha256) lines.push(`       ${f.sha256}  ${f.role}  ${f.path}`);
  lines.push(
    report.ok ? 'Everything needed for an exam is in place.' : 'Something needs attention (see FAIL above).',
  );
  return lines.join('\n') + '\n';
}
