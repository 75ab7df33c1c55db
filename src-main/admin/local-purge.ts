// Retention on the candidate's device. The purge removes the local rows and files (recording
// segments, merged video and clips, snapshots and ID images, answer audio, reports) of every session
// whose exam retention has run out — but only sessions that are fully synced: finished, nothing of
// theirs left in the outbox, every file with an upload receipt, the full-mode video uploaded and no
// after-session work still running. Expired sessions that are not synced are kept, and the receipt
// says why. A dry run returns the same receipt without deleting anything.
//
// Order: rows go in one write transaction that re-checks the sync conditions, so the decision and
// the deletion are atomic against the uploader; then the files; a `.pending.json` receipt lists the
// files between the two, so a run cut short is finished by the next one. The receipt is sealed with
// its sha256 and written to `<data folder>/receipts/`.
import fs from 'node:fs';
import path from 'node:path';
import type { LocalStore } from '../store/local-store';
import { filesUnder } from './retention';
import { sha256Hex } from './tar';
import { writeFileDurably } from '../store/durable-file';

export interface KeptReason {
  code:
    | 'retention_unknown'
    | 'in_progress'
    | 'outbox_pending'
    | 'outbox_rejected'
    | 'file_not_uploaded'
    | 'file_rejected'
    | 'snapshot_not_registered'
    | 'recording_unfinished'
    | 'video_not_uploaded'
    | 'work_pending';
  detail: string;
}

export interface LocalPurgeReceipt {
  kind: 'local_purge';
  dryRun: boolean;
  at: string;
  device: { deviceId: string; candidateId: string } | null;
  rule: 'cached exam retentionDays, counted from the session end (or start if it never ended)';
  /** Sessions removed (or, in a dry run, that would be). */
  purged: { id: string; examId: string; endedAt: string | null; retentionDays: number; expiredAt: string }[];
  /** Sessions past retention (or of unknown retention) kept because not everything is synced. */
  kept: { id: string; examId: string; endedAt: string | null; reasons: KeptReason[] }[];
  /** Sessions still within their retention (not listed). */
  withinRetention: number;
  rows: Record<string, number>;
  files: { path: string; bytes: number }[];
  /** sha256 of this receipt's JSON without this field, so a stored copy can be checked. */
  sha256: string;
}

export interface LocalPurgeOptions {
  store: LocalStore;
  /** The app's data folder: session folders live under it and receipts are written to it. */
  dataDir: string;
  now?: () => Date;
  /** Only these sessions (the purge job of one session); every session by default (the CLI). */
  sessionIds?: string[];
}

const DAY_MS = 86_400_000;

/** Per-session folders (one sub-folder named by session id under each). */
const SESSION_FOLDERS = ['snapshots', 'answers', 'reports'];

/** Rows removed with a session, counted for the receipt: [table, count SQL with ? = session id]. */
const SESSION_ROWS: [string, string][] = [
  ['sessions', `SELECT count(*) AS n FROM sessions WHERE id = ?`],
  ['events', `SELECT count(*) AS n FROM events WHERE session_id = ?`],
  ['warnings', `SELECT count(*) AS n FROM warnings WHERE session_id = ?`],
  ['snapshots', `SELECT count(*) AS n FROM snapshots WHERE session_id = ?`],
  ['blob_uploads', `SELECT count(*) AS n FROM blob_uploads WHERE session_id = ?`],
  ['media_recordings', `SELECT count(*) AS n FROM media_recordings WHERE session_id = ?`],
  [
    'media_segments',
    `SELECT count(*) AS n FROM media_segments s JOIN media_recordings r ON r.id = s.recording_id WHERE r.session_id = ?`,
  ],
  [
    'media_chunks',
    `SELECT count(*) AS n FROM media_chunks c JOIN media_recordings r ON r.id = c.recording_id WHERE r.session_id = ?`,
  ],
  ['media_events', `SELECT count(*) AS n FROM media_events WHERE session_id = ?`],
  ['session_exams', `SELECT count(*) AS n FROM session_exams WHERE session_id = ?`],
  ['questions', `SELECT count(*) AS n FROM questions WHERE session_id = ?`],
  ['answers', `SELECT count(*) AS n FROM answers WHERE session_id = ?`],
  ['messages', `SELECT count(*) AS n FROM messages WHERE session_id = ?`],
  ['evaluations', `SELECT count(*) AS n FROM evaluations WHERE session_id = ?`],
  ['jobs', `SELECT count(*) AS n FROM jobs WHERE session_id = ?`],
  ['candidate_progress', `SELECT count(*) AS n FROM candidate_progress WHERE session_id = ?`],
  // Usage rows stay (cost history), detached from the session, as centrally.
  ['token_usage_detached', `SELECT count(*) AS n FROM token_usage WHERE session_id = ?`],
];

/** Deletions, children first (the media tables cascade from media_recordings). */
const DELETES: [string, string][] = [
  ['blob_uploads', `DELETE FROM blob_uploads WHERE session_id = ?`],
  ['media_events', `DELETE FROM media_events WHERE session_id = ?`],
  ['media_recordings', `DELETE FROM media_recordings WHERE session_id = ?`],
  ['answers', `DELETE FROM answers WHERE session_id = ?`],
  ['questions', `DELETE FROM questions WHERE session_id = ?`],
  ['messages', `DELETE FROM messages WHERE session_id = ?`],
  ['session_exams', `DELETE FROM session_exams WHERE session_id = ?`],
  ['evaluations', `DELETE FROM evaluations WHERE session_id = ?`],
  // job_deps rows cascade from jobs.
  ['jobs', `DELETE FROM jobs WHERE session_id = ?`],
  ['candidate_progress', `DELETE FROM candidate_progress WHERE session_id = ?`],
  ['token_usage', `UPDATE token_usage SET session_id = NULL WHERE session_id = ?`],
  // events, warnings and snapshots cascade from sessions.
  ['sessions', `DELETE FROM sessions WHERE id = ?`],
];

interface SessionRow {
  id: string;
  exam_id: string;
  status: string;
  started_at: string;
  ended_at: string | null;
}

type Db = LocalStore['raw'];

function tablesOf(db: Db): Set<string> {
  const rows = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[];
  return new Set(rows.map((r) => r.name));
}

/** Tables named in a statement (FROM/JOIN/UPDATE/DELETE FROM), to skip those a store lacks. */
function tablesIn(statement: string): string[] {
  return [...statement.matchAll(/\b(?:FROM|JOIN|UPDATE)\s+([a-z_]+)/gi)].map((m) => m[1]!);
}

function count(db: Db, tables: Set<string>, text: string, ...params: unknown[]): number {
  if (!tablesIn(text).every((t) => tables.has(t))) return 0;
  return Number((db.prepare(text).get(...params) as { n: number } | undefined)?.n ?? 0);
}

function retentionDaysOf(db: Db, examId: string): number | undefined {
  const row = db.prepare(`SELECT definition FROM cached_exams WHERE id = ?`).get(examId) as
    { definition: string } | undefined;
  if (!row) return undefined;
  const days = (JSON.parse(row.definition) as { retentionDays?: unknown }).retentionDays;
  return typeof days === 'number' && Number.isInteger(days) && days > 0 ? days : undefined;
}

/** Why a session may not go yet: everything about it must have reached the central server. */
export function unsyncedReasons(db: Db, sessionId: string, tables = tablesOf(db)): KeptReason[] {
  const reasons: KeptReason[] = [];
  const session = db.prepare(`SELECT status FROM sessions WHERE id = ?`).get(sessionId) as
    { status: string } | undefined;
  if (session?.status === 'in_progress')
    reasons.push({ code: 'in_progress', detail: 'the session never finished on this device' });
  // Outbox rows name their session in the key or the payload (session id, event body, warning).
  const outbox = (status: string) =>
    count(
      db,
      tables,
      `SELECT count(*) AS n FROM outbox WHERE status = ? AND (instr(idempotency_key, ?) > 0 OR instr(payload, ?) > 0)`,
      status,
      sessionId,
      sessionId,
    );
  const pending = outbox('pending');
  if (pending) reasons.push({ code: 'outbox_pending', detail: `${pending} item(s) not yet sent` });
  const rejected = outbox('rejected');
  if (rejected)
    reasons.push({ code: 'outbox_rejected', detail: `${rejected} item(s) refused by the server` });
  const notUploaded = count(
    db,
    tables,
    `SELECT count(*) AS n FROM blob_uploads WHERE session_id = ? AND status = 'pending'
       OR session_id = ? AND status = 'done' AND receipt IS NULL`,
    sessionId,
    sessionId,
  );
  if (notUploaded)
    reasons.push({ code: 'file_not_uploaded', detail: `${notUploaded} file(s) without an upload receipt` });
  const refused = count(
    db,
    tables,
    `SELECT count(*) AS n FROM blob_uploads WHERE session_id = ? AND status = 'rejected'`,
    sessionId,
  );
  if (refused) reasons.push({ code: 'file_rejected', detail: `${refused} file(s) refused by the server` });
  const unregistered = count(
    db,
    tables,
    `SELECT count(*) AS n FROM snapshots s WHERE s.session_id = ?
       AND NOT EXISTS (SELECT 1 FROM blob_uploads b WHERE b.id = s.id)`,
    sessionId,
  );
  if (unregistered)
    reasons.push({
      code: 'snapshot_not_registered',
      detail: `${unregistered} snapshot(s) never queued for upload`,
    });
  const recording = count(
    db,
    tables,
    `SELECT count(*) AS n FROM media_recordings WHERE session_id = ? AND state = 'recording'`,
    sessionId,
  );
  if (recording)
    reasons.push({ code: 'recording_unfinished', detail: 'a recording was never stopped or recovered' });
  const video = count(
    db,
    tables,
    `SELECT count(*) AS n FROM media_recordings r WHERE r.session_id = ? AND r.upload_mode = 'full'
       AND r.merged_path IS NOT NULL AND NOT EXISTS (SELECT 1 FROM blob_uploads b
         WHERE b.session_id = r.session_id AND b.path = r.merged_path AND b.status = 'done')`,
    sessionId,
  );
  if (video)
    reasons.push({
      code: 'video_not_uploaded',
      detail: 'the merged video (upload mode full) was not uploaded',
    });
  // The job runner's work after the session (merge, uploads, transcripts, evaluation, report); the
  // purge's own job is not work that keeps the session.
  const jobs = count(
    db,
    tables,
    `SELECT count(*) AS n FROM jobs WHERE session_id = ? AND status IN ('queued', 'running') AND kind != 'local_purge'`,
    sessionId,
  );
  if (jobs)
    reasons.push({
      code: 'work_pending',
      detail: 'the evaluation, report or recording upload after the session has not finished',
    });
  return reasons;
}

function insideDir(root: string, candidate: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(candidate));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** The session's folders and the files its rows point at, all inside the data folder. */
function sessionFiles(
  db: Db,
  tables: Set<string>,
  dataDir: string,
  sessionId: string,
): { folders: string[]; files: { path: string; bytes: number }[] } {
  const folders = SESSION_FOLDERS.map((name) => path.join(dataDir, name, sessionId));
  const referenced: string[] = [];
  const column = (text: string) => {
    if (!tablesIn(text).every((t) => tables.has(t))) return;
    for (const row of db.prepare(text).all(sessionId) as { p: string | null }[])
      if (row.p) referenced.push(row.p);
  };
  column(`SELECT dir AS p FROM media_recordings WHERE session_id = ?`);
  const recordingDirs = referenced.splice(0).filter((d) => insideDir(dataDir, d));
  folders.push(...recordingDirs);
  column(`SELECT path AS p FROM snapshots WHERE session_id = ?`);
  column(`SELECT path AS p FROM blob_uploads WHERE session_id = ?`);
  column(`SELECT audio_path AS p FROM answers WHERE session_id = ?`);
  column(`SELECT merged_path AS p FROM media_recordings WHERE session_id = ?`);
  const seen = new Map<string, { path: string; bytes: number }>();
  for (const folder of folders) for (const f of filesUnder(folder)) seen.set(path.resolve(f.path), f);
  for (const p of referenced) {
    const full = path.resolve(p);
    if (seen.has(full) || !insideDir(dataDir, full) || !fs.existsSync(full)) continue;
    const stat = fs.statSync(full);
    if (stat.isFile()) seen.set(full, { path: p, bytes: stat.size });
  }
  return {
    folders: folders.filter((f) => fs.existsSync(f)),
    files: [...seen.values()].sort((a, b) => a.path.localeCompare(b.path)),
  };
}

function sealed(receipt: Omit<LocalPurgeReceipt, 'sha256'>): LocalPurgeReceipt {
  return { ...receipt, sha256: sha256Hex(JSON.stringify(receipt)) };
}

/** sha256 check of a receipt read back from disk. */
export function verifyLocalPurgeReceipt(receipt: LocalPurgeReceipt): boolean {
  const { sha256, ...rest } = receipt;
  return sha256Hex(JSON.stringify(rest)) === sha256;
}

export function receiptsDirFor(dataDir: string): string {
  return path.join(dataDir, 'receipts');
}

function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileDurably(tmp, text);
  fs.renameSync(tmp, file);
}

interface PendingPurge {
  folders: string[];
  files: string[];
  receipt: LocalPurgeReceipt;
}

function removeFiles(dataDir: string, pending: Pick<PendingPurge, 'folders' | 'files'>): void {
  // Never outside the data folder, whatever a row or a pending file says.
  for (const file of pending.files) if (insideDir(dataDir, file)) fs.rmSync(file, { force: true });
  for (const folder of pending.folders)
    if (insideDir(dataDir, folder)) fs.rmSync(folder, { recursive: true, force: true });
}

/** Finishes runs that stopped between deleting rows and deleting files. Returns how many. */
export function finishInterruptedPurges(dataDir: string): number {
  const dir = receiptsDirFor(dataDir);
  if (!fs.existsSync(dir)) return 0;
  let finished = 0;
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.pending.json'))) {
    const file = path.join(dir, name);
    const pending = JSON.parse(fs.readFileSync(file, 'utf8')) as PendingPurge;
    removeFiles(dataDir, pending);
    writeAtomically(file.replace(/\.pending\.json$/, '.json'), JSON.stringify(pending.receipt, null, 2));
    fs.rmSync(file, { force: true });
    finished++;
  }
  return finished;
}

export interface LocalPurgeResult {
  receipt: LocalPurgeReceipt;
  /** Where the receipt was written (absent for a dry run). */
  receiptFile?: string;
}

export function purgeLocal(options: LocalPurgeOptions & { dryRun: boolean }): LocalPurgeResult {
  const { store, dataDir } = options;
  const db = store.raw;
  const now = options.now?.() ?? new Date();
  const at = now.toISOString();
  if (!options.dryRun) finishInterruptedPurges(dataDir);
  const tables = tablesOf(db);
  // The receipt names the latest enrollment (one candidate per installation in practice).
  const device = tables.has('enrollments')
    ? (db
        .prepare(`SELECT device_id, candidate_id FROM enrollments ORDER BY enrolled_at DESC LIMIT 1`)
        .get() as { device_id: string; candidate_id: string } | undefined)
    : undefined;

  const only = options.sessionIds ? new Set(options.sessionIds) : undefined;
  const sessions = (
    db
      .prepare(`SELECT id, exam_id, status, started_at, ended_at FROM sessions ORDER BY started_at, id`)
      .all() as SessionRow[]
  ).filter((s) => !only || only.has(s.id));
  const purged: LocalPurgeReceipt['purged'] = [];
  const kept: LocalPurgeReceipt['kept'] = [];
  let withinRetention = 0;
  for (const s of sessions) {
    const days = retentionDaysOf(db, s.exam_id);
    const from = s.ended_at ?? s.started_at;
    if (days === undefined) {
      kept.push({
        id: s.id,
        examId: s.exam_id,
        endedAt: s.ended_at,
        reasons: [{ code: 'retention_unknown', detail: `exam ${s.exam_id} is not cached on this device` }],
      });
      continue;
    }
    const expiredAt = new Date(Date.parse(from) + days * DAY_MS);
    if (Number.isNaN(expiredAt.getTime())) {
      kept.push({
        id: s.id,
        examId: s.exam_id,
        endedAt: s.ended_at,
        reasons: [{ code: 'retention_unknown', detail: `the session's times cannot be read (${from})` }],
      });
      continue;
    }
    if (expiredAt.getTime() > now.getTime()) {
      withinRetention++;
      continue;
    }
    const reasons = unsyncedReasons(db, s.id, tables);
    if (reasons.length) kept.push({ id: s.id, examId: s.exam_id, endedAt: s.ended_at, reasons });
    else
      purged.push({
        id: s.id,
        examId: s.exam_id,
        endedAt: s.ended_at,
        retentionDays: days,
        expiredAt: expiredAt.toISOString(),
      });
  }

  const countRows = (ids: string[]) => {
    const rows: Record<string, number> = {};
    for (const [table, text] of SESSION_ROWS)
      rows[table] = ids.reduce((sum, id) => sum + count(db, tables, text, id), 0);
    return rows;
  };
  const plan = new Map(purged.map((p) => [p.id, sessionFiles(db, tables, dataDir, p.id)]));
  const receiptOf = (ids: string[], rows: Record<string, number>) =>
    sealed({
      kind: 'local_purge',
      dryRun: options.dryRun,
      at,
      device: device ? { deviceId: device.device_id, candidateId: device.candidate_id } : null,
      rule: 'cached exam retentionDays, counted from the session end (or start if it never ended)',
      purged: purged.filter((p) => ids.includes(p.id)),
      kept,
      withinRetention,
      rows,
      files: ids.flatMap((id) => plan.get(id)?.files ?? []),
    });

  if (options.dryRun) {
    const ids = purged.map((p) => p.id);
    return { receipt: receiptOf(ids, countRows(ids)) };
  }

  // Rows: one transaction that re-checks each session, so nothing synced-then-changed is lost.
  const { ids, rows } = store.write('local retention purge', () => {
    const still = purged.map((p) => p.id).filter((id) => unsyncedReasons(db, id, tables).length === 0);
    const counted = countRows(still);
    for (const id of still)
      for (const [table, text] of DELETES) if (tables.has(table)) db.prepare(text).run(id);
    return { ids: still, rows: counted };
  });
  const receipt = receiptOf(ids, rows);
  const stamp = at.replace(/[:.]/g, '-');
  // Named by time and what it removed: two purge jobs in the same millisecond keep both receipts.
  const receiptFile = path.join(
    receiptsDirFor(dataDir),
    `local-purge-${stamp}-${receipt.sha256.slice(0, 12)}.json`,
  );
  // A receipt file records deletions; a run that deleted nothing returns its receipt only.
  if (ids.length === 0) return { receipt };
  const pendingFile = receiptFile.replace(/\.json$/, '.pending.json');
  const pending: PendingPurge = {
    folders: ids.flatMap((id) => plan.get(id)?.folders ?? []),
    files: receipt.files.map((f) => f.path),
    receipt,
  };
  writeAtomically(pendingFile, JSON.stringify(pending));
  removeFiles(dataDir, pending);
  writeAtomically(receiptFile, JSON.stringify(receipt, null, 2));
  fs.rmSync(pendingFile, { force: true });
  return { receipt, receiptFile };
}
