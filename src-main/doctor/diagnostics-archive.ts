// "Save diagnostics" (About): one .tar.gz a candidate sends to IT so a problem in an exam can be
// explained afterwards. It holds the doctor report, the app's logs redacted once more, where the
// policy came from (files, signature, serial, which keys IT manages) and the versions. It reads
// nothing but the logs folder and the loaded configuration, so the device token, answers,
// recordings, snapshots and the local database never get in; secret settings appear only as "(set)".
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildTar, type TarEntry } from '../admin/tar';
import type { LoadedConfig } from '../config/load';
import { redactText, redactValue } from '../log/redact';
import { versionsCheck } from './checks/versions';
import type { DoctorReport } from './types';

/** Only the newest part of a log file goes in: support needs the end, and mail has size limits. */
const MAX_LOG_BYTES_PER_FILE = 8 * 1024 * 1024;
/** Error and fatal lines kept in recent-errors.json (pino levels: 50 error, 60 fatal). */
const MAX_RECENT_ERRORS = 200;

export interface DiagnosticsInput {
  loaded: LoadedConfig;
  report: DoctorReport;
  appVersion: string;
  mode: 'electron' | 'host';
  now?: Date;
}

export interface DiagnosticsArchive {
  /** File name to suggest: vigil-diagnostics-<UTC time>.tar.gz */
  name: string;
  data: Buffer;
  /** Paths inside the archive, as `tar -tzf` lists them. */
  entries: string[];
}

/** Where the support archive goes when no save dialog asks: the data folder's diagnostics/. */
export function diagnosticsDirFor(dataDir: string): string {
  return path.join(dataDir, 'diagnostics');
}

/** Applies the text redaction to every string, keeping keys (e.g. `signatureRequired`) readable. */
function scrubStrings(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(scrubStrings);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubStrings(v)]));
  return value;
}

/** One log line redacted again: logs are written redacted, but an older build or a bug may not have. */
function redactLine(line: string): string {
  if (line.trim() === '') return line;
  try {
    return JSON.stringify(redactValue(JSON.parse(line)));
  } catch {
    return redactText(line);
  }
}

function readLogTail(file: string): { text: string; truncated: boolean } {
  const size = fs.statSync(file).size;
  const start = Math.max(0, size - MAX_LOG_BYTES_PER_FILE);
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(size - start);
    fs.readSync(fd, buffer, 0, buffer.length, start);
    let text = buffer.toString('utf8');
    // Cut to the first whole line so no half line (and no half secret) starts the copy.
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    return { text, truncated: start > 0 };
  } finally {
    fs.closeSync(fd);
  }
}

function policySources(loaded: LoadedConfig): Record<string, unknown> {
  const { policy } = loaded;
  return {
    policyFile: policy.file,
    signatureFile: policy.signatureFile,
    signatureStatus: policy.signature,
    signatureKeyId: policy.keyId ?? null,
    signatureRequired: policy.signatureRequired,
    policyRefused: policy.refused,
    serial: policy.stamp?.serial ?? null,
    expiresAt: policy.stamp?.expiresAt ?? null,
    userSettingsFile: loaded.files.user,
    dataDir: loaded.dataDir,
    managedKeys: loaded.lockedKeys,
    // Where each value came from, not the values: those are in doctor.json, secrets as "(set)".
    sources: loaded.sources,
    ignoredOverrides: loaded.ignoredOverrides,
    issues: loaded.issues,
  };
}

function versions(appVersion: string, mode: DiagnosticsInput['mode']): Record<string, unknown> {
  return {
    ...versionsCheck(appVersion).details,
    mode,
    v8: process.versions.v8,
    osType: os.type(),
    osVersion: typeof os.version === 'function' ? os.version() : null,
  };
}

const readme = (name: string, generatedAt: string) => `Vigil diagnostics (${name}), made ${generatedAt}.

doctor.json          the same report as \`vigil doctor --json\` (every check, its facts)
policy.json          the IT policy in effect: files, signature, serial, which keys it manages
versions.json        Vigil, Electron, Chromium, Node and operating system versions
logs/                the app's logs, every line redacted again (tokens, passwords, codes)
recent-errors.json   the error and fatal lines of those logs, newest last (crash record)

Not included, by design: the device token, answers, recordings, camera snapshots, the local
database, secret settings (shown only as "(set)").
`;

export function buildDiagnosticsArchive(input: DiagnosticsInput): DiagnosticsArchive {
  const now = input.now ?? new Date();
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
  const folder = `vigil-diagnostics-${stamp}`;
  const entries: TarEntry[] = [];
  const add = (name: string, data: string) =>
    entries.push({ name: `${folder}/${name}`, data: Buffer.from(data, 'utf8'), mtime: now });
  const json = (value: unknown) => JSON.stringify(scrubStrings(value), null, 2) + '\n';

  add('README.txt', readme(folder, now.toISOString()));
  add('doctor.json', json(input.report));
  add('policy.json', json(policySources(input.loaded)));
  add('versions.json', json(versions(input.appVersion, input.mode)));

  const logsDir = path.join(input.loaded.dataDir, 'logs');
  let logFiles: string[] = [];
  try {
    logFiles = fs
      .readdirSync(logsDir)
      .filter((f) => f.endsWith('.log'))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const recentErrors: unknown[] = [];
  const truncated: string[] = [];
  for (const file of logFiles) {
    const tail = readLogTail(path.join(logsDir, file));
    if (tail.truncated) truncated.push(file);
    const lines = tail.text.split('\n').map(redactLine);
    for (const line of lines) {
      try {
        const parsed = JSON.parse(line) as { level?: unknown };
        if (typeof parsed.level === 'number' && parsed.level >= 50) recentErrors.push(parsed);
      } catch {
        // not a JSON line: kept in the log copy only
      }
    }
    add(`logs/${file}`, lines.join('\n'));
  }
  const byTime = (line: unknown) => {
    const time = (line as { time?: unknown }).time;
    return typeof time === 'string' ? time : '';
  };
  recentErrors.sort((a, b) => byTime(a).localeCompare(byTime(b)));
  add(
    'recent-errors.json',
    JSON.stringify({ truncatedLogs: truncated, errors: recentErrors.slice(-MAX_RECENT_ERRORS) }, null, 2) +
      '\n',
  );

  return {
    name: `${folder}.tar.gz`,
    data: gzipSync(buildTar(entries)),
    entries: entries.map((e) => e.name),
  };
}

/**
 * Asks where to save the archive (the desktop app's save dialog, src-main/shell); null when the
 * candidate cancels. Without one (browser mode) the archive goes to the data folder.
 */
export type ChooseDiagnosticsFile = (suggestedName: string) => Promise<string | null>;

export async function saveDiagnosticsArchive(
  input: DiagnosticsInput & { choose?: ChooseDiagnosticsFile },
): Promise<{ path: string | null; bytes: number; entries: string[] }> {
  const archive = buildDiagnosticsArchive(input);
  let target: string | null;
  if (input.choose) target = await input.choose(archive.name);
  else {
    const dir = diagnosticsDirFor(input.loaded.dataDir);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    target = path.join(dir, archive.name);
  }
  if (target === null) return { path: null, bytes: archive.data.length, entries: archive.entries };
  fs.writeFileSync(target, archive.data, { mode: 0o600 });
  return { path: target, bytes: archive.data.length, entries: archive.entries };
}
