// Administration over the central store, shared by `vigil admin …` and the admin screens: users and
// staff logins, proctor assignments, exams, enrollment codes in bulk (mail-merge CSV, revoke),
// devices, token usage roll-ups and CSV export of every list. Runs as an admin (vigil_admin member)
// or the owner; every change leaves an audit_log row naming who did it.
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { AccommodationProfileSchema, type AccommodationProfile } from '../../src-preload/contract-console';
import { checkEnrollmentTtl, createLogin, enrollmentCodeColumns } from '../central/admin';
import type { SqlQuery } from '../central/connect';
import { VigilError } from '../errors';
import { checkStorageQuotaPolicy } from '../central/storage-quota';
import { checkEvaluationPolicy } from '../evaluation/evaluation-policy';
import { newStartCode, wrapWithStartCode } from '../security/exam-seal';
import { accommodationProfiles as detectorProfiles } from '../proctoring/policy';
import { toCsv } from './csv';

export type { ExamType } from '../../src-preload/vocabulary';
import type { ExamType } from '../../src-preload/vocabulary';

export interface ExamInput {
  title: string;
  type: ExamType;
  difficulty: number;
  keyQuestions?: { question: string; time_limit_s: number }[];
  resumeId?: string | null;
  jobListingId?: string | null;
  policy?: Record<string, unknown>;
  /** Given to candidates one by one through their enrollment (see createEnrollments). */
  accommodationProfiles?: AccommodationProfile[];
  retentionDays?: number;
  uploadMode?: 'full' | 'flags_only';
  /**
   * The exam's window (ISO times, server clock): the server releases the key that opens the
   * device's sealed copy only inside it (central 0445). After it closes its device credentials work
   * for `lateUploadGraceHours` more (default 72) so offline devices can send what they recorded
   * before, and are refused after that (central 0455). Absent: no bound on that side.
   */
  opensAt?: string | null;
  closesAt?: string | null;
  lateUploadGraceHours?: number;
}

export interface ListFilter {
  search?: string;
  /** users: role; exams: type; enrollments: state; devices: state. */
  kind?: string;
  examId?: string;
  limit?: number;
}

export type ListName = 'users' | 'exams' | 'enrollments' | 'devices' | 'sessions' | 'usage' | 'receipts';

/** Columns of each list, in CSV order. */
export const LIST_COLUMNS: Record<ListName, readonly string[]> = {
  users: ['id', 'email', 'display_name', 'role', 'pg_role', 'created_at'],
  exams: [
    'id',
    'title',
    'type',
    'difficulty',
    'retention_days',
    'upload_mode',
    'key_questions',
    'created_at',
  ],
  enrollments: [
    'id',
    'exam_title',
    'candidate_email',
    'candidate_name',
    'state',
    'accommodation',
    'expires_at',
    'redeemed_at',
    'created_at',
  ],
  devices: [
    'id',
    'label',
    'candidate_email',
    'exam_title',
    'state',
    'last_seen_at',
    'expires_at',
    'created_at',
  ],
  sessions: [
    'id',
    'exam_title',
    'candidate_email',
    'candidate_name',
    'status',
    'risk_score',
    'started_at',
    'ended_at',
  ],
  usage: [
    'exam_id',
    'exam_title',
    'model',
    'requests',
    'prompt_tokens',
    'completion_tokens',
    'total_tokens',
    'cost',
  ],
  // Central retention receipts (purges and credential expiries, central 0455), newest first.
  receipts: ['id', 'kind', 'at', 'login', 'worker_id', 'sessions', 'devices', 'blob_bytes', 'rows', 'policy'],
};

const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ROLE_NAME = /^[a-z][a-z0-9_]{2,62}$/;

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The exam's profiles as the device will read them: the profile shape, unique names, and detector
 * profiles that proctoring/policy.ts knows (an unknown one would stop the candidate's session).
 */
function checkProfiles(raw: unknown): AccommodationProfile[] {
  const parsed = z
    .array(AccommodationProfileSchema)
    .max(50)
    .safeParse(raw ?? []);
  if (!parsed.success)
    throw new VigilError('BAD_REQUEST', 'An accommodation profile is malformed.', {
      issues: parsed.error.issues.map((i) => `accommodationProfiles.${i.path.join('.')}: ${i.message}`),
    });
  const names = new Set<string>();
  for (const p of parsed.data) {
    if (names.has(p.name))
      throw new VigilError('BAD_REQUEST', `Two accommodation profiles are named "${p.name}".`, {
        name: p.name,
      });
    names.add(p.name);
    if (p.detectors !== undefined && !(p.detectors in detectorProfiles))
      throw new VigilError(
        'BAD_REQUEST',
        `Accommodation profile "${p.name}" names unknown detectors "${p.detectors}"; use one of: ${Object.keys(detectorProfiles).join(', ')}.`,
        { name: p.name, detectors: p.detectors, known: Object.keys(detectorProfiles) },
      );
  }
  return parsed.data;
}

function newCode(): string {
  let raw = '';
  for (let i = 0; i < 12; i++) raw += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
}

export class AdminService {
  constructor(private readonly query: SqlQuery) {}

  /** The acting admin's user id (null when the owner login runs the command). */
  private async actor(): Promise<string | null> {
    const [row] = await this.query<{ id: string }>(`SELECT id FROM vigil.users WHERE pg_role = current_user`);
    return row?.id ?? null;
  }

  async audit(
    action: string,
    table: string,
    targetId: string,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await this.query(
      `INSERT INTO vigil.audit_log (actor_user_id, action, target_table, target_id, details) VALUES ($1, $2, $3, $4, $5)`,
      [await this.actor(), action, table, targetId, JSON.stringify(details)],
    );
  }

  async addUser(input: {
    email: string;
    name?: string;
    role: 'candidate' | 'proctor' | 'admin';
  }): Promise<string> {
    const [row] = await this.query<{ id: string }>(
      `INSERT INTO vigil.users (email, display_name, role) VALUES ($1, $2, $3) RETURNING id`,
      [input.email.trim().toLowerCase(), input.name ?? '', input.role],
    );
    await this.audit('add_user', 'users', row!.id, { role: input.role });
    return row!.id;
  }

  /**
   * A proctor or admin with their own PostgreSQL login (member of vigil_proctor / vigil_admin),
   * created by vigil.create_login (createLogin): admin logins have no CREATEROLE, and the password
   * reaches the server only as a SCRAM verifier. The function audits the login ('create_login').
   */
  async addStaff(input: {
    email: string;
    name?: string;
    role: 'proctor' | 'admin';
    login: string;
    password: string;
  }): Promise<string> {
    if (!ROLE_NAME.test(input.login)) {
      throw new VigilError(
        'BAD_REQUEST',
        'Logins are 3–63 lower-case letters, digits or underscores, starting with a letter.',
        {
          login: input.login,
        },
      );
    }
    if (input.password.length < 12)
      throw new VigilError('BAD_REQUEST', 'Use a password of at least 12 characters.');
    const id = await this.addUser(input);
    const group = input.role === 'admin' ? 'vigil_admin' : 'vigil_proctor';
    await createLogin(this.query, { roleName: input.login, password: input.password, group, userId: id });
    await this.audit('add_staff_login', 'users', id, { login: input.login, group });
    return id;
  }

  async assignProctor(examId: string, proctorId: string): Promise<void> {
    const [user] = await this.query<{ role: string }>(`SELECT role FROM vigil.users WHERE id = $1`, [
      proctorId,
    ]);
    if (user?.role !== 'proctor' && user?.role !== 'admin') {
      throw new VigilError('BAD_REQUEST', `User ${proctorId} is not a proctor.`);
    }
    await this.query(
      `INSERT INTO vigil.proctor_assignments (exam_id, proctor_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [examId, proctorId],
    );
    await this.audit('assign_proctor', 'exams', examId, { proctor_id: proctorId });
  }

  async unassignProctor(examId: string, proctorId: string): Promise<void> {
    await this.query(`DELETE FROM vigil.proctor_assignments WHERE exam_id = $1 AND proctor_id = $2`, [
      examId,
      proctorId,
    ]);
    await this.audit('unassign_proctor', 'exams', examId, { proctor_id: proctorId });
  }

  async saveExam(input: ExamInput, id?: string): Promise<string> {
    const profiles = checkProfiles(input.accommodationProfiles);
    checkEvaluationPolicy(input.policy ?? {});
    checkStorageQuotaPolicy(input.policy ?? {});
    const values = [
      input.title,
      input.type,
      input.difficulty,
      JSON.stringify(input.keyQuestions ?? []),
      input.resumeId ?? null,
      input.jobListingId ?? null,
      JSON.stringify(input.policy ?? {}),
      JSON.stringify(profiles),
      input.retentionDays ?? 90,
      input.uploadMode ?? 'full',
      input.opensAt ?? null,
      input.closesAt ?? null,
      input.lateUploadGraceHours ?? 72,
    ];
    let examId = id;
    if (examId) {
      const [row] = await this.query<{ id: string }>(
        `UPDATE vigil.exams SET title = $1, type = $2, difficulty = $3, key_questions = $4, resume_id = $5,
           job_listing_id = $6, policy = $7, accommodation_profiles = $8, retention_days = $9, upload_mode = $10,
           opens_at = $11, closes_at = $12, late_upload_grace_hours = $13
         WHERE id = $14 RETURNING id`,
        [...values, examId],
      );
      if (!row) throw new VigilError('NOT_FOUND', `There is no exam ${examId}.`);
    } else {
      const [row] = await this.query<{ id: string }>(
        `INSERT INTO vigil.exams (title, type, difficulty, key_questions, resume_id, job_listing_id, policy,
           accommodation_profiles, retention_days, upload_mode, opens_at, closes_at, late_upload_grace_hours, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
        [...values, await this.actor()],
      );
      examId = row!.id;
    }
    await this.audit(id ? 'update_exam' : 'create_exam', 'exams', examId, { title: input.title });
    return examId;
  }

  /**
   * A start code for the exam, so it can start in a room without a connection: the proctor reads it
   * out at the start, and the candidate types it. The device's cache holds the exam's key wrapped
   * under this code (src-main/security/exam-seal.ts); devices get the wrap with the exam, so issue
   * the code before candidates enroll (or have them connect once after). A new code replaces the
   * last one for devices that fetch the exam again. Returned once; only the wrap is stored.
   */
  async issueStartCode(examId: string): Promise<{ code: string; issuedAt: string }> {
    const [row] = await this.query<{ content_key: Buffer }>(
      `SELECT content_key FROM vigil.exam_keys WHERE exam_id = $1`,
      [examId],
    );
    if (!row) throw new VigilError('NOT_FOUND', `There is no exam ${examId}.`);
    const code = newStartCode();
    const { salt, wrappedKey } = await wrapWithStartCode(Buffer.from(row.content_key), code, examId);
    const [saved] = await this.query<{ issued_at: Date }>(
      `INSERT INTO vigil.exam_start_codes (exam_id, salt, wrapped_key, issued_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (exam_id) DO UPDATE SET salt = EXCLUDED.salt, wrapped_key = EXCLUDED.wrapped_key,
         issued_by = EXCLUDED.issued_by, issued_at = now()
       RETURNING issued_at`,
      [examId, salt, wrappedKey, await this.actor()],
    );
    await this.audit('issue_start_code', 'exams', examId, {});
    return { code, issuedAt: new Date(saved!.issued_at).toISOString() };
  }

  async getExam(id: string): Promise<Record<string, unknown>> {
    const [row] = await this.query(`SELECT * FROM vigil.exams WHERE id = $1`, [id]);
    if (!row) throw new VigilError('NOT_FOUND', `There is no exam ${id}.`);
    return row;
  }

  /**
   * One-time codes for many candidates at once (candidates are created when new). The codes are
   * returned once, for the mail merge; only their hashes are stored.
   */
  async createEnrollments(input: {
    examId: string;
    /** accommodation: one of the exam's accommodation profiles, by name. */
    candidates: { email: string; name?: string; accommodation?: string }[];
    ttlHours?: number;
  }): Promise<{ enrollmentId: string; email: string; name: string; code: string; expiresAt: string }[]> {
    const [exam] = await this.query<{ title: string; accommodation_profiles: { name?: unknown }[] }>(
      `SELECT title, accommodation_profiles FROM vigil.exams WHERE id = $1`,
      [input.examId],
    );
    if (!exam) throw new VigilError('NOT_FOUND', `There is no exam ${input.examId}.`);
    // Checked for every row before any code exists: a typo must not leave half a batch enrolled.
    const known = exam.accommodation_profiles.map((p) => String(p.name));
    // Profiles saved before their shape was shared with the device are checked again before any
    // candidate gets one (a profile the device cannot read would stop their session).
    if (input.candidates.some((c) => c.accommodation?.trim())) checkProfiles(exam.accommodation_profiles);
    for (const c of input.candidates) {
      const wanted = c.accommodation?.trim();
      if (wanted && !known.includes(wanted))
        throw new VigilError(
          'BAD_REQUEST',
          known.length
            ? `"${wanted}" (for ${c.email}) is not an accommodation profile of "${exam.title}"; its profiles are: ${known.join(', ')}.`
            : `"${wanted}" (for ${c.email}) is not an accommodation profile of "${exam.title}", which has none; add it to the exam first.`,
          { accommodation: wanted, email: c.email, known },
        );
    }
    const actor = await this.actor();
    const ttlHours = input.ttlHours ?? 72;
    checkEnrollmentTtl(ttlHours * 60);
    const expiresAt = new Date(Date.now() + ttlHours * 3_600_000);
    const out: { enrollmentId: string; email: string; name: string; code: string; expiresAt: string }[] = [];
    for (const c of input.candidates) {
      const email = c.email.trim().toLowerCase();
      const [user] = await this.query<{ id: string; display_name: string }>(
        `INSERT INTO vigil.users (email, display_name, role) VALUES ($1, $2, 'candidate')
         ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email RETURNING id, display_name`,
        [email, c.name ?? ''],
      );
      const code = newCode();
      // Salted, and peppered by the server (migration 0500): the code itself is never stored.
      const hashed = enrollmentCodeColumns(code);
      const [row] = await this.query<{ id: string }>(
        `INSERT INTO vigil.enrollments (candidate_id, exam_id, code_lookup, code_salt, code_hash, expires_at, created_by, accommodation)
         VALUES ($1, $2, $3, $4, vigil.enrollment_code_hash($5, $4), $6, $7, $8) RETURNING id`,
        [
          user!.id,
          input.examId,
          hashed.lookup,
          hashed.salt,
          hashed.normalised,
          expiresAt,
          actor,
          c.accommodation?.trim() || null,
        ],
      );
      out.push({
        enrollmentId: row!.id,
        email,
        name: user!.display_name,
        code,
        expiresAt: expiresAt.toISOString(),
      });
    }
    await this.audit('create_enrollments', 'exams', input.examId, { count: out.length });
    return out;
  }

  static mailMergeCsv(
    examTitle: string,
    rows: { email: string; name: string; code: string; expiresAt: string }[],
  ): string {
    return toCsv(
      ['email', 'name', 'exam', 'code', 'expires_at'],
      rows.map((r) => ({
        email: r.email,
        name: r.name,
        exam: examTitle,
        code: r.code,
        expires_at: r.expiresAt,
      })),
    );
  }

  /** An unredeemed code stops working now; a redeemed one also revokes the device it enrolled. */
  async revokeEnrollment(id: string): Promise<void> {
    const [row] = await this.query<{ device_id: string | null }>(
      `UPDATE vigil.enrollments SET expires_at = least(expires_at, now()) WHERE id = $1 RETURNING device_id`,
      [id],
    );
    if (!row) throw new VigilError('NOT_FOUND', `There is no enrollment ${id}.`);
    if (row.device_id)
      await this.query(`UPDATE vigil.devices SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1`, [
        row.device_id,
      ]);
    await this.audit('revoke_enrollment', 'enrollments', id);
  }

  async revokeDevice(id: string): Promise<void> {
    const rows = await this.query(
      `UPDATE vigil.devices SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id`,
      [id],
    );
    if (!rows.length) throw new VigilError('NOT_FOUND', `There is no device ${id}.`);
    await this.audit('revoke_device', 'devices', id);
  }

  async list(name: ListName, filter: ListFilter = {}): Promise<Record<string, unknown>[]> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where: string[] = [];
    const search = filter.search?.trim() ? p(likePattern(filter.search.trim())) : null;
    const limit = Math.min(Math.max(filter.limit ?? 500, 1), 100_000);
    let text: string;
    switch (name) {
      case 'users':
        if (search) where.push(`(email ILIKE ${search} OR display_name ILIKE ${search})`);
        if (filter.kind) where.push(`role = ${p(filter.kind)}`);
        text = `SELECT id, email, display_name, role, pg_role, created_at FROM vigil.users`;
        break;
      case 'exams':
        if (search) where.push(`title ILIKE ${search}`);
        if (filter.kind) where.push(`type = ${p(filter.kind)}`);
        text = `SELECT id, title, type, difficulty, retention_days, upload_mode, key_questions, policy,
                       accommodation_profiles, resume_id, job_listing_id, created_at FROM vigil.exams`;
        break;
      case 'enrollments':
        if (search) where.push(`(u.email ILIKE ${search} OR u.display_name ILIKE ${search})`);
        if (filter.examId) where.push(`n.exam_id = ${p(filter.examId)}`);
        if (filter.kind)
          where.push(
            `(CASE WHEN n.redeemed_at IS NOT NULL THEN 'redeemed' WHEN n.expires_at <= now() THEN 'expired' ELSE 'open' END) = ${p(filter.kind)}`,
          );
        text = `SELECT n.id, e.title AS exam_title, u.email AS candidate_email, u.display_name AS candidate_name,
                  CASE WHEN n.redeemed_at IS NOT NULL THEN 'redeemed' WHEN n.expires_at <= now() THEN 'expired' ELSE 'open' END AS state,
                  n.accommodation, n.expires_at, n.redeemed_at, n.created_at
                FROM vigil.enrollments n JOIN vigil.users u ON u.id = n.candidate_id JOIN vigil.exams e ON e.id = n.exam_id`;
        break;
      case 'devices':
        if (search) where.push(`(u.email ILIKE ${search} OR d.label ILIKE ${search})`);
        if (filter.examId) where.push(`d.exam_id = ${p(filter.examId)}`);
        if (filter.kind)
          where.push(
            `(CASE WHEN d.revoked_at IS NOT NULL THEN 'revoked' WHEN d.window_closed_at IS NOT NULL OR e.closes_at + make_interval(hours => e.late_upload_grace_hours) <= now() THEN 'window_closed' WHEN d.expires_at <= now() THEN 'expired' ELSE 'active' END) = ${p(filter.kind)}`,
          );
        text = `SELECT d.id, d.label, u.email AS candidate_email, e.title AS exam_title,
                  CASE WHEN d.revoked_at IS NOT NULL THEN 'revoked' WHEN d.window_closed_at IS NOT NULL OR e.closes_at + make_interval(hours => e.late_upload_grace_hours) <= now() THEN 'window_closed' WHEN d.expires_at <= now() THEN 'expired' ELSE 'active' END AS state,
                  d.last_seen_at, d.expires_at, d.created_at
                FROM vigil.devices d JOIN vigil.users u ON u.id = d.candidate_id JOIN vigil.exams e ON e.id = d.exam_id`;
        break;
      case 'sessions':
        if (search) where.push(`(u.email ILIKE ${search} OR u.display_name ILIKE ${search})`);
        if (filter.examId) where.push(`s.exam_id = ${p(filter.examId)}`);
        if (filter.kind) where.push(`s.status = ${p(filter.kind)}`);
        text = `SELECT s.id, e.title AS exam_title, u.email AS candidate_email, u.display_name AS candidate_name,
                  s.status, s.risk_score::float8 AS risk_score, s.started_at, s.ended_at
                FROM vigil.sessions s JOIN vigil.users u ON u.id = s.candidate_id JOIN vigil.exams e ON e.id = s.exam_id`;
        break;
      case 'usage':
        if (search) where.push(`(coalesce(e.title, '') ILIKE ${search} OR t.model ILIKE ${search})`);
        if (filter.examId) where.push(`t.exam_id = ${p(filter.examId)}`);
        text = `SELECT t.exam_id, coalesce(e.title, '(deleted exam)') AS exam_title, t.model, t.requests::int AS requests,
                  t.prompt_tokens::bigint AS prompt_tokens, t.completion_tokens::bigint AS completion_tokens,
                  t.total_tokens::bigint AS total_tokens, t.cost::float8 AS cost
                FROM vigil.token_usage_by_exam t LEFT JOIN vigil.exams e ON e.id = t.exam_id`;
        break;
      case 'receipts':
        if (filter.kind) where.push(`kind = ${p(filter.kind)}`);
        if (filter.examId)
          where.push(
            `(policy->'exams') @> jsonb_build_array(jsonb_build_object('examId', ${p(filter.examId)}::text))`,
          );
        text = `SELECT id, kind, at, login, worker_id, jsonb_array_length(sessions) AS sessions,
                  jsonb_array_length(devices) AS devices, blob_bytes, rows, policy
                FROM vigil.retention_receipts`;
        break;
    }
    const order =
      name === 'usage'
        ? 'cost DESC'
        : name === 'sessions'
          ? 'started_at DESC'
          : name === 'receipts'
            ? 'at DESC, id DESC'
            : 'created_at DESC';
    return this.query(
      `${text} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${p(limit)}`,
      params,
    );
  }

  async exportCsv(name: ListName, filter: ListFilter = {}): Promise<string> {
    return toCsv(LIST_COLUMNS[name], await this.list(name, { ...filter, limit: filter.limit ?? 100_000 }));
  }

  /** Cumulative cost by day and the grand total. */
  async usageTotals(): Promise<{
    days: { day: string; totalTokens: number; cost: number; cumulativeCost: number }[];
    totalCost: number;
    totalTokens: number;
  }> {
    const rows = await this.query<{ day: Date; total_tokens: string; cost: string; cumulative_cost: string }>(
      `SELECT day, total_tokens, cost, cumulative_cost FROM vigil.token_usage_cumulative ORDER BY day`,
    );
    const days = rows.map((r) => ({
      day: new Date(r.day).toISOString().slice(0, 10),
      totalTokens: Number(r.total_tokens),
      cost: Number(r.cost),
      cumulativeCost: Number(r.cumulative_cost),
    }));
    return {
      days,
      totalCost: days.at(-1)?.cumulativeCost ?? 0,
      totalTokens: days.reduce((sum, d) => sum + d.totalTokens, 0),
    };
  }
}
