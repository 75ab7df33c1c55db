// Retention and erasure. `purge` deletes every session older than its exam's retention_days (rows
// centrally, per-session folders on disk) and returns a receipt of exactly what went; a dry run
// returns the same receipt without deleting. `exportCandidate` builds one tar archive with a
// candidate's rows, uploaded files and reports; `eraseCandidate` deletes the candidate and all their
// data (token usage stays, with the user set null) and returns a receipt. Each runs in one
// transaction, so the receipt's counts are the rows actually deleted.
import fs from 'node:fs';
import path from 'node:path';
import { CompiledQuery, type Kysely } from 'kysely';
import type { SqlQuery } from '../central/connect';
import { VigilError } from '../errors';
import { buildTar, sha256Hex, type TarEntry } from './tar';

/**
 * Tables counted in erasure receipts, all reached from a session (directly or through a warning or
 * blob); a purge's are counted by vigil.purge_expired (central 0455), over the same tables.
 */
const SESSION_TABLES: Record<string, string> = {
  sessions: `SELECT count(*) FROM vigil.sessions WHERE id = ANY($1)`,
  events: `SELECT count(*) FROM vigil.events WHERE session_id = ANY($1)`,
  warnings: `SELECT count(*) FROM vigil.warnings WHERE session_id = ANY($1)`,
  reviews: `SELECT count(*) FROM vigil.reviews r JOIN vigil.warnings w ON w.id = r.warning_id WHERE w.session_id = ANY($1)`,
  session_decisions: `SELECT count(*) FROM vigil.session_decisions WHERE session_id = ANY($1)`,
  questions: `SELECT count(*) FROM vigil.questions WHERE session_id = ANY($1)`,
  messages: `SELECT count(*) FROM vigil.messages WHERE session_id = ANY($1)`,
  evaluations: `SELECT count(*) FROM vigil.evaluations WHERE session_id = ANY($1)`,
  blobs: `SELECT count(*) FROM vigil.blobs WHERE session_id = ANY($1)`,
  blob_chunks: `SELECT count(*) FROM vigil.blob_chunks c JOIN vigil.blobs b ON b.id = c.blob_id WHERE b.session_id = ANY($1)`,
};

export interface RetentionOptions {
  /** Folders holding one sub-folder per session id (the report archive, local recordings…). */
  sessionDirs: string[];
  now?: () => Date;
}

export interface Receipt {
  kind: 'purge' | 'erasure';
  dryRun: boolean;
  at: string;
  subject: Record<string, unknown>;
  sessions: { id: string; examId: string; endedAt: string | null }[];
  rows: Record<string, number>;
  files: { path: string; bytes: number }[];
  /** sha256 of this receipt's JSON without this field, so a stored copy can be checked. */
  sha256: string;
}

type Trx = Kysely<unknown>;

/** What vigil.purge_expired returns. */
interface CentralPurge {
  receiptId: number | null;
  at: string;
  policy: Record<string, unknown>;
  sessions: { id: string; examId: string; endedAt: string | null }[];
  rows: Record<string, number>;
  blobBytes: number;
}

function trxQuery(trx: Trx): SqlQuery {
  return async <R>(text: string, params: unknown[] = []) =>
    (await trx.executeQuery<R>(CompiledQuery.raw(text, params))).rows;
}

function sealed(receipt: Omit<Receipt, 'sha256'>): Receipt {
  return { ...receipt, sha256: sha256Hex(JSON.stringify(receipt)) };
}

/** sha256 check of a receipt read back from disk. */
export function verifyReceipt(receipt: Receipt): boolean {
  const { sha256, ...rest } = receipt;
  return sha256Hex(JSON.stringify(rest)) === sha256;
}

/** Every file below `dir` with its size, sorted by path (receipts list them in a stable order). */
export function filesUnder(dir: string): { path: string; bytes: number }[] {
  if (!fs.existsSync(dir)) return [];
  const out: { path: string; bytes: number }[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out.push({ path: full, bytes: fs.statSync(full).size });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

export class RetentionService {
  constructor(
    private readonly db: Kysely<unknown>,
    private readonly options: RetentionOptions,
  ) {}

  private sessionFolders(sessionIds: string[]): string[] {
    return this.options.sessionDirs.flatMap((root) => sessionIds.map((id) => path.join(root, id)));
  }

  private async count(q: SqlQuery, sessionIds: string[]): Promise<Record<string, number>> {
    const rows: Record<string, number> = {};
    for (const [table, text] of Object.entries(SESSION_TABLES)) {
      const [r] = await q<{ count: string }>(text, [sessionIds]);
      rows[table] = Number(r?.count ?? 0);
    }
    return rows;
  }

  private async actor(q: SqlQuery): Promise<string | null> {
    const [row] = await q<{ id: string }>(`SELECT id FROM vigil.users WHERE pg_role = current_user`);
    return row?.id ?? null;
  }

  /**
   * Sessions past their exam's retention, measured from their end (or start, if never ended), by
   * the server's clock. The rows go through vigil.purge_expired (central 0455), the same function the
   * worker's schedule runs: it deletes them and stores the receipt centrally (vigil.retention_receipts,
   * its id in `subject.receiptId`) in one transaction; a dry run stores nothing.
   */
  async purge(options: { dryRun: boolean }): Promise<Receipt> {
    return this.db.transaction().execute(async (trx) => {
      const q = trxQuery(trx);
      const [row] = await q<{ result: CentralPurge }>(
        `SELECT vigil.purge_expired(NULL, $1, NULL) AS result`,
        [options.dryRun],
      );
      const result = row!.result;
      const ids = result.sessions.map((s) => s.id);
      const folders = this.sessionFolders(ids);
      const files = folders.flatMap(filesUnder);
      const receipt = sealed({
        kind: 'purge',
        dryRun: options.dryRun,
        at: new Date(result.at).toISOString(),
        subject: {
          rule: 'exams.retention_days',
          receiptId: result.receiptId === null ? null : String(result.receiptId),
          blobBytes: Number(result.blobBytes),
          policy: result.policy,
        },
        sessions: result.sessions.map((s) => ({
          id: s.id,
          examId: s.examId,
          endedAt: s.endedAt ? new Date(s.endedAt).toISOString() : null,
        })),
        rows: result.rows,
        files,
      });
      // Disk last, once the rows are gone for sure (the transaction commits after this returns;
      // a failed commit leaves files without rows, which the next purge would not list again, so
      // remove only after the deletes succeeded above).
      if (!options.dryRun) for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
      return receipt;
    });
  }

  private async candidateRow(q: SqlQuery, candidateId: string): Promise<Record<string, unknown>> {
    const [user] = await q(`SELECT * FROM vigil.users WHERE id = $1`, [candidateId]);
    if (!user) throw new VigilError('NOT_FOUND', `There is no user ${candidateId}.`);
    if (user.role !== 'candidate')
      throw new VigilError('BAD_REQUEST', `User ${candidateId} is not a candidate.`);
    return user;
  }

  /** One tar archive: data.json (every row about the candidate), blobs/, reports/. */
  async exportCandidate(
    candidateId: string,
  ): Promise<{ archive: Buffer; sha256: string; entries: string[] }> {
    return this.db.transaction().execute(async (trx) => {
      const q = trxQuery(trx);
      const user = await this.candidateRow(q, candidateId);
      const sessions = await q<Record<string, unknown>>(
        `SELECT * FROM vigil.sessions WHERE candidate_id = $1 ORDER BY started_at`,
        [candidateId],
      );
      const ids = sessions.map((s) => String(s.id));
      const perSession = async (table: string) =>
        q(`SELECT * FROM vigil.${table} WHERE session_id = ANY($1)`, [ids]);
      const data = {
        exportedAt: (this.options.now?.() ?? new Date()).toISOString(),
        user,
        resumes: await q(
          `SELECT id, file_name, content_text, created_at FROM vigil.resumes WHERE user_id = $1`,
          [candidateId],
        ),
        enrollments: await q(
          `SELECT id, exam_id, expires_at, redeemed_at, created_at FROM vigil.enrollments WHERE candidate_id = $1`,
          [candidateId],
        ),
        devices: await q(
          `SELECT id, exam_id, label, expires_at, revoked_at, last_seen_at, created_at FROM vigil.devices WHERE candidate_id = $1`,
          [candidateId],
        ),
        sessions,
        events: await perSession('events'),
        warnings: await perSession('warnings'),
        questions: await perSession('questions'),
        messages: await perSession('messages'),
        evaluations: await perSession('evaluations'),
        decisions: await perSession('session_decisions'),
        tokenUsage: await q(`SELECT * FROM vigil.token_usage WHERE user_id = $1 OR session_id = ANY($2)`, [
          candidateId,
          ids,
        ]),
      };
      const json = JSON.stringify(
        data,
        (_k, v: unknown) =>
          v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer'
            ? Buffer.from((v as { data: number[] }).data).toString('hex')
            : v,
        2,
      );
      const entries: TarEntry[] = [{ name: 'data.json', data: Buffer.from(json, 'utf8') }];
      const blobs = await q<{ id: string; kind: string; sha256: Buffer; content_type: string }>(
        `SELECT id, kind, sha256, content_type FROM vigil.blobs WHERE session_id = ANY($1) AND status = 'complete' ORDER BY created_at, id`,
        [ids],
      );
      for (const b of blobs) {
        const chunks = await q<{ data: Buffer }>(
          `SELECT data FROM vigil.blob_chunks WHERE blob_id = $1 ORDER BY "offset"`,
          [b.id],
        );
        const ext = (b.content_type.split('/')[1] ?? 'bin').replace(/[^a-z0-9]/gi, '').slice(0, 8) || 'bin';
        entries.push({
          name: `blobs/${b.kind}-${b.sha256.toString('hex').slice(0, 32)}.${ext}`,
          data: Buffer.concat(chunks.map((c) => c.data)),
        });
      }
      for (const folder of this.sessionFolders(ids)) {
        for (const file of filesUnder(folder)) {
          entries.push({
            name: `files/${path.basename(path.dirname(folder))}/${path.relative(path.dirname(folder), file.path)}`.slice(
              0,
              100,
            ),
            data: fs.readFileSync(file.path),
          });
        }
      }
      const archive = buildTar(entries);
      return { archive, sha256: sha256Hex(archive), entries: entries.map((e) => e.name) };
    });
  }

  /** Deletes the candidate and everything about them, centrally and in the session folders. */
  async eraseCandidate(candidateId: string, options: { dryRun?: boolean } = {}): Promise<Receipt> {
    const at = (this.options.now?.() ?? new Date()).toISOString();
    return this.db.transaction().execute(async (trx) => {
      const q = trxQuery(trx);
      await this.candidateRow(q, candidateId);
      const sessions = await q<{ id: string; exam_id: string; ended_at: Date | null }>(
        `SELECT id, exam_id, ended_at FROM vigil.sessions WHERE candidate_id = $1 ORDER BY id`,
        [candidateId],
      );
      const ids = sessions.map((s) => s.id);
      const rows = await this.count(q, ids);
      const extra = async (text: string) =>
        Number((await q<{ count: string }>(text, [candidateId]))[0]?.count ?? 0);
      rows.users = 1;
      rows.enrollments = await extra(`SELECT count(*) FROM vigil.enrollments WHERE candidate_id = $1`);
      rows.devices = await extra(`SELECT count(*) FROM vigil.devices WHERE candidate_id = $1`);
      rows.resumes = await extra(`SELECT count(*) FROM vigil.resumes WHERE user_id = $1`);
      rows.job_listings = await extra(`SELECT count(*) FROM vigil.job_listings WHERE user_id = $1`);
      rows.token_usage_anonymised = await extra(`SELECT count(*) FROM vigil.token_usage WHERE user_id = $1`);
      const folders = this.sessionFolders(ids);
      const files = folders.flatMap(filesUnder);
      if (!options.dryRun) {
        await q(`DELETE FROM vigil.users WHERE id = $1`, [candidateId]);
        await q(
          `INSERT INTO vigil.audit_log (actor_user_id, action, target_table, target_id, details) VALUES ($1, 'erase_candidate', 'users', $2, $3)`,
          [await this.actor(q), candidateId, JSON.stringify({ rows })],
        );
        for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
      }
      return sealed({
        kind: 'erasure',
        dryRun: options.dryRun ?? false,
        at,
        subject: { candidateId },
        sessions: sessions.map((s) => ({
          id: s.id,
          examId: s.exam_id,
          endedAt: s.ended_at ? new Date(s.ended_at).toISOString() : null,
        })),
        rows,
        files,
      });
    });
  }
}
