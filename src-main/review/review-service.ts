// What a proctor does in the console: the risk-ranked queue, one session's full review, per-warning
// verdicts and the session decision. Every query runs on the proctor's own PostgreSQL login, so
// row-level security decides what exists for them; the audit trigger (migration 0102) records
// each verdict and decision once (who, what, when, before → after). The report is not made here:
// each verdict and decision asks the central worker for a new version (central migration 0440),
// and the console shows and downloads the latest version the worker filed in central.
import { chainAnchoring } from './chain-anchoring';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SqlQuery } from '../central/connect';
import { VigilError } from '../errors';
import { centralRisk } from './central-risk';
import { buildQueueQuery, encodeCursor } from './queue-query';
import type {
  QueueFilter,
  QueuePage,
  QueueRow,
  ReportVersion,
  Reviewer,
  ReviewState,
  ReviewWarning,
  SessionDecision,
  SessionReview,
  WarningVerdict,
} from './types';

export interface ReviewServiceOptions {
  /**
   * A new central report version of a session was filed after this console's verdict or decision
   * (the console's page then reloads its list).
   */
  onReportFiled?: (sessionId: string) => void;
  onReportError?: (sessionId: string, error: unknown) => void;
  /** How long the console looks for the worker's new version after a verdict or decision. */
  reportWaitMs?: number;
  reportPollMs?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}
function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : iso(value);
}
function hex(value: unknown): string | null {
  return Buffer.isBuffer(value) ? value.toString('hex') : null;
}
function seconds(from: unknown, to: unknown): number {
  return Math.max(0, (new Date(iso(to)).getTime() - new Date(iso(from)).getTime()) / 1000);
}

/** The evaluation's per-question scores (0–10) and feedback, by question text and in order. */
export function questionScores(value: unknown): {
  byQuestion: Map<string, { score: number; feedback: string }>;
  inOrder: ({ score: number; feedback: string } | undefined)[];
} {
  const list = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
  const inOrder = list.map((r) =>
    r && typeof r.score === 'number'
      ? { score: r.score, feedback: typeof r.feedback === 'string' ? r.feedback : '' }
      : undefined,
  );
  const byQuestion = new Map<string, { score: number; feedback: string }>();
  list.forEach((r, i) => {
    if (r && typeof r.question === 'string' && inOrder[i]) byQuestion.set(r.question, inOrder[i]);
  });
  return { byQuestion, inOrder };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function checkUuid(id: string, what: string): void {
  if (!UUID.test(id)) throw new VigilError('BAD_REQUEST', `${what} "${id}" is not a valid id.`);
}

export class ReviewService {
  /** Looks for the worker's report after a verdict or decision, until found, timed out or closed. */
  private readonly watches = new Set<Promise<void>>();
  private closed = false;
  /** Keys this sign-in's blob URLs (see blobUrl). */
  private readonly urlSecret = randomBytes(32);

  constructor(
    private readonly query: SqlQuery,
    private readonly options: ReviewServiceOptions = {},
  ) {}

  /** The signed-in login as a Vigil user (a proctor or admin with a PostgreSQL role). */
  async whoAmI(): Promise<Reviewer> {
    const [row] = await this.query<{ id: string; display_name: string; role: string; pg_role: string }>(
      `SELECT id, display_name, role, pg_role FROM vigil.users WHERE pg_role = current_user`,
    );
    if (!row) {
      throw new VigilError(
        'FORBIDDEN',
        'This database login is not linked to a Vigil proctor or admin: ask an admin to create your login with `vigil admin proctor add`.',
      );
    }
    return { userId: row.id, name: row.display_name, role: row.role, pgRole: row.pg_role };
  }

  async queue(filter: QueueFilter = {}): Promise<QueuePage> {
    const { text, params, limit } = buildQueueQuery(filter);
    const rows = await this.query<Record<string, unknown>>(text, params);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      rows: page.map((r): QueueRow => {
        const decision = (r.decision as string | null) ?? null;
        const reviewState: ReviewState = decision ? 'decided' : r.reviewed ? 'in_review' : 'pending';
        return {
          sessionId: String(r.id),
          examId: String(r.exam_id),
          examTitle: String(r.exam_title),
          candidateId: String(r.candidate_id),
          candidateName: String(r.display_name),
          candidateEmail: String(r.email),
          status: String(r.status),
          startedAt: iso(r.started_at),
          endedAt: isoOrNull(r.ended_at),
          riskScore: r.risk_score === null ? null : Number(r.risk_score),
          riskSource: r.risk_source === 'server' || r.risk_source === 'device' ? r.risk_source : null,
          flags: r.flags as { type: string; count: number }[],
          reviewState,
          decision,
        };
      }),
      nextCursor: rows.length > limit && last ? encodeCursor(Number(last.rank), String(last.id)) : null,
    };
  }

  async load(sessionId: string): Promise<SessionReview> {
    checkUuid(sessionId, 'Session');
    const [s] = await this.query<Record<string, unknown>>(
      `SELECT s.*, e.title, e.type AS exam_type, e.difficulty, e.upload_mode, u.display_name, u.email,
              r.file_name AS resume_file_name, r.content_text AS resume_text,
              j.title AS job_title, j.description AS job_description
       FROM vigil.sessions s JOIN vigil.exams e ON e.id = s.exam_id JOIN vigil.users u ON u.id = s.candidate_id
       LEFT JOIN vigil.resumes r ON r.id = e.resume_id LEFT JOIN vigil.job_listings j ON j.id = e.job_listing_id
       WHERE s.id = $1`,
      [sessionId],
    );
    // Not visible and not existing look the same: RLS hides other exams' sessions entirely.
    if (!s)
      throw new VigilError('NOT_FOUND', `There is no session ${sessionId} among the exams assigned to you.`);
    const [me] = await this.query<{ id: string }>(`SELECT id FROM vigil.users WHERE pg_role = current_user`);
    const [
      warnings,
      reviews,
      events,
      questions,
      deviceEvaluations,
      decisions,
      reports,
      serverEvaluations,
      refusals,
      anchors,
    ] = await Promise.all([
      this.query<Record<string, unknown>>(
        `SELECT id, type, severity, started_at, ended_at, confidence, details, snapshot_sha256
         FROM vigil.warnings WHERE session_id = $1 ORDER BY started_at, id`,
        [sessionId],
      ),
      this.query<Record<string, unknown>>(
        `SELECT DISTINCT ON (r.warning_id, r.reviewer_id) r.warning_id, r.reviewer_id, r.verdict, r.comment,
                r.created_at, coalesce(u.display_name, 'another proctor') AS reviewer_name
         FROM vigil.reviews r JOIN vigil.warnings w ON w.id = r.warning_id
         LEFT JOIN vigil.users u ON u.id = r.reviewer_id
         WHERE w.session_id = $1
         ORDER BY r.warning_id, r.reviewer_id, r.created_at DESC`,
        [sessionId],
      ),
      this.query<Record<string, unknown>>(
        `SELECT seq, kind, occurred_at FROM vigil.events WHERE session_id = $1 ORDER BY seq LIMIT 5000`,
        [sessionId],
      ),
      this.query<Record<string, unknown>>(
        // The worker's transcript of a spoken answer's audio as the server holds it (central 0450).
        `SELECT q.ordinal, q.text, q.answer_text, q.asked_at, q.answered_at, t.text AS server_transcript
         FROM vigil.questions q LEFT JOIN vigil.server_transcripts t
           ON t.question_id = q.id AND t.audio_sha256 = q.answer_audio_sha256 AND t.status = 'done'
         WHERE q.session_id = $1 ORDER BY q.ordinal`,
        [sessionId],
      ),
      this.query<Record<string, unknown>>(`SELECT * FROM vigil.evaluations WHERE session_id = $1`, [
        sessionId,
      ]),
      this.query<Record<string, unknown>>(
        `SELECT d.decision, d.reason, d.created_at, coalesce(u.display_name, 'another proctor') AS by
         FROM vigil.session_decisions d LEFT JOIN vigil.users u ON u.id = d.decided_by
         WHERE d.session_id = $1 ORDER BY d.created_at DESC LIMIT 1`,
        [sessionId],
      ),
      // Every report version: the central worker's (the report of record), the device's, and those
      // consoles filed after decisions before the worker made reports (central 0401).
      this.query<Record<string, unknown>>(
        `SELECT rv.report_id, rv.version, rv.reason, encode(rv.sha256, 'hex') AS sha256, rv.filed_by, rv.created_at,
                rv.made_by,
                CASE WHEN rv.filed_by_user IS NULL THEN NULL ELSE coalesce(u.display_name, 'another proctor') END AS by,
                EXISTS (SELECT 1 FROM vigil.blobs b WHERE b.session_id = rv.session_id AND b.kind = 'pdf'
                        AND b.status = 'complete' AND b.sha256 = rv.sha256) AS uploaded
         FROM vigil.report_versions rv LEFT JOIN vigil.users u ON u.id = rv.filed_by_user
         WHERE rv.session_id = $1 ORDER BY rv.created_at, rv.version, rv.report_id`,
        [sessionId],
      ),
      // The central worker's evaluation (migration 0410): shown instead of the device's when present.
      this.query<Record<string, unknown>>(`SELECT * FROM vigil.server_evaluations WHERE session_id = $1`, [
        sessionId,
      ]),
      // What the device tried to change after the finish or the decision, refused (central 0432).
      this.query<Record<string, unknown>>(
        `SELECT at, kind, reason FROM vigil.device_refusals WHERE session_id = $1 ORDER BY at, id LIMIT 200`,
        [sessionId],
      ),
      // When the server saw the chain's head (central 0433): anchored or written offline.
      this.query<{ received_at: Date }>(
        `SELECT received_at FROM vigil.chain_anchors WHERE session_id = $1 ORDER BY received_at`,
        [sessionId],
      ),
    ]);
    const byWarning = new Map<string, Record<string, unknown>[]>();
    for (const r of reviews) {
      const list = byWarning.get(String(r.warning_id)) ?? [];
      list.push(r);
      byWarning.set(String(r.warning_id), list);
    }
    const video = hex(s.video_sha256);
    // The merged video's time 0 is its first recorded frame (the checks before the interview are
    // not recorded); sessions filed without that time fall back to the session's start.
    const videoStart = s.video_started_at ?? s.started_at;
    const flagsOnly = s.upload_mode === 'flags_only';
    let pairs = 0;
    let agreeing = 0;
    const reviewWarnings = warnings.map((w): ReviewWarning => {
      const list = byWarning.get(String(w.id)) ?? [];
      const verdicts = new Set(list.map((r) => r.verdict));
      const agreement = list.length >= 2 ? (verdicts.size === 1 ? 'agree' : 'disagree') : null;
      if (agreement) {
        pairs++;
        if (agreement === 'agree') agreeing++;
      }
      const details = (w.details ?? {}) as Record<string, unknown>;
      const clip = details.clip as { sha256?: unknown; atS?: unknown } | undefined;
      const offsetS = seconds(s.started_at, w.started_at);
      const clipSha = typeof clip?.sha256 === 'string' ? clip.sha256 : null;
      const media =
        flagsOnly || (!video && clipSha)
          ? clipSha
            ? // The clip plays from the warning's moment (clips filed before atS: from their start).
              { kind: 'clip' as const, sha256: clipSha, startS: typeof clip?.atS === 'number' ? clip.atS : 0 }
            : { kind: 'none' as const, sha256: null, startS: 0 }
          : video
            ? { kind: 'merged' as const, sha256: video, startS: seconds(videoStart, w.started_at) }
            : { kind: 'none' as const, sha256: null, startS: 0 };
      return {
        id: String(w.id),
        type: String(w.type),
        severity: String(w.severity),
        startedAt: iso(w.started_at),
        endedAt: isoOrNull(w.ended_at),
        offsetS,
        durationS: w.ended_at ? seconds(w.started_at, w.ended_at) : 0,
        confidence: w.confidence === null ? null : Number(w.confidence),
        details,
        snapshotSha256: hex(w.snapshot_sha256),
        media,
        myVerdict: (list.find((r) => me && r.reviewer_id === me.id)?.verdict as string | undefined) ?? null,
        reviews: list.map((r) => ({
          reviewerId: (r.reviewer_id as string | null) ?? null,
          reviewerName: String(r.reviewer_name),
          verdict: String(r.verdict),
          comment: String(r.comment),
          at: iso(r.created_at),
        })),
        agreement,
      };
    });
    const serverEvaluation = serverEvaluations[0];
    const ev = serverEvaluation ?? deviceEvaluations[0];
    const decision = decisions[0];
    // The server's risk when the worker has scored the session; the device's is advisory.
    const deviceRisk = centralRisk(s);
    const serverRisk = centralRisk({ id: s.id, risk_factors: s.server_risk_factors });
    const scored = questionScores(ev?.question_responses);
    const reportVersions = reports.map((r): ReportVersion => ({
      version: Number(r.version),
      reportId: text(r.report_id),
      reason: text(r.reason),
      sha256: text(r.sha256),
      at: iso(r.created_at),
      filedBy: r.filed_by === 'worker' || r.filed_by === 'console' ? r.filed_by : 'device',
      by: typeof r.by === 'string' ? r.by : null,
      madeBy: typeof r.made_by === 'string' ? r.made_by : null,
      uploaded: r.uploaded === true,
    }));
    return {
      session: {
        id: String(s.id),
        status: String(s.status),
        startedAt: iso(s.started_at),
        endedAt: isoOrNull(s.ended_at),
        riskScore: serverRisk?.score ?? (s.risk_score === null ? null : Number(s.risk_score)),
        risk: serverRisk ?? deviceRisk,
        riskSource: serverRisk ? 'server' : deviceRisk ? 'device' : null,
        deviceRisk: serverRisk ? deviceRisk : null,
        evidenceVerdict: String(s.evidence_verdict),
        anchoring: chainAnchoring({
          startedAt: new Date(iso(s.started_at)),
          endedAt: s.ended_at ? new Date(iso(s.ended_at)) : null,
          receivedAt: anchors.map((a) => new Date(iso(a.received_at))),
        }),
        videoSha256: flagsOnly ? null : video,
        posterSha256: hex(s.poster_sha256),
      },
      exam: {
        id: String(s.exam_id),
        title: String(s.title),
        type: String(s.exam_type),
        difficulty: Number(s.difficulty),
        uploadMode: String(s.upload_mode),
        resume:
          typeof s.resume_file_name === 'string'
            ? { fileName: s.resume_file_name, text: text(s.resume_text) }
            : null,
        jobListing:
          typeof s.job_title === 'string'
            ? { title: s.job_title, description: text(s.job_description) }
            : null,
      },
      candidate: { id: String(s.candidate_id), name: String(s.display_name), email: String(s.email) },
      idVerification: {
        status: (s.id_verification_status as string | null) ?? null,
        details: (s.id_details as Record<string, unknown> | null) ?? null,
        imageSha256: hex(s.id_image_sha256),
      },
      timeline: events.map((e) => ({
        seq: Number(e.seq),
        kind: String(e.kind),
        at: iso(e.occurred_at),
        offsetS: seconds(s.started_at, e.occurred_at),
      })),
      warnings: reviewWarnings,
      answers: questions.map((q, i) => {
        const response = scored.byQuestion.get(String(q.text)) ?? scored.inOrder[i];
        return {
          ordinal: Number(q.ordinal),
          question: String(q.text),
          answer: (q.answer_text as string | null) ?? null,
          serverTranscript: (q.server_transcript as string | null) ?? null,
          askedAt: isoOrNull(q.asked_at),
          answeredAt: isoOrNull(q.answered_at),
          score: response?.score ?? null,
          feedback: response?.feedback ?? null,
        };
      }),
      evaluation: ev
        ? {
            overall: Number(ev.overall),
            professionalism: Number(ev.professionalism),
            subjectKnowledge: Number(ev.subject_knowledge),
            clarity: Number(ev.clarity),
            feedback: String(ev.feedback),
            traits: ev.traits as unknown[],
            suggestions: ev.suggestions as unknown[],
            questionResponses: ev.question_responses as unknown[],
            evaluator: String(ev.evaluator),
            source: serverEvaluation ? ('server' as const) : ('device' as const),
            ...(typeof ev.label === 'string' ? { label: ev.label } : {}),
          }
        : null,
      decision: decision
        ? {
            decision: String(decision.decision),
            note: String(decision.reason),
            by: String(decision.by),
            at: iso(decision.created_at),
          }
        : null,
      agreementRate: pairs ? agreeing / pairs : null,
      reports: reportVersions,
      latestReport: reportVersions
        .filter((r) => r.filedBy === 'worker')
        .reduce<ReportVersion | null>(
          (latest, r) => (!latest || r.version > latest.version ? r : latest),
          null,
        ),
      refusedDeviceWrites: refusals.map((r) => ({
        at: iso(r.at),
        kind: text(r.kind),
        reason: text(r.reason),
      })),
    };
  }

  /** Confirms or dismisses one warning; a later verdict by the same proctor supersedes it. */
  async reviewWarning(input: {
    warningId: string;
    verdict: WarningVerdict;
    comment?: string;
  }): Promise<{ sessionId: string }> {
    checkUuid(input.warningId, 'Warning');
    const me = await this.whoAmI();
    const [w] = await this.query<{ session_id: string }>(
      `SELECT session_id FROM vigil.warnings WHERE id = $1`,
      [input.warningId],
    );
    if (!w)
      throw new VigilError(
        'NOT_FOUND',
        `There is no warning ${input.warningId} among the exams assigned to you.`,
      );
    const [saved] = await this.query<{ created_at: Date }>(
      `INSERT INTO vigil.reviews (warning_id, reviewer_id, verdict, comment) VALUES ($1, $2, $3, $4)
       RETURNING created_at`,
      [input.warningId, me.userId, input.verdict, input.comment ?? ''],
    );
    this.watchReport(w.session_id, saved!.created_at);
    return { sessionId: w.session_id };
  }

  async decide(input: { sessionId: string; decision: SessionDecision; note?: string }): Promise<void> {
    checkUuid(input.sessionId, 'Session');
    const me = await this.whoAmI();
    const [s] = await this.query(`SELECT id FROM vigil.sessions WHERE id = $1`, [input.sessionId]);
    if (!s)
      throw new VigilError(
        'NOT_FOUND',
        `There is no session ${input.sessionId} among the exams assigned to you.`,
      );
    const [saved] = await this.query<{ created_at: Date }>(
      `INSERT INTO vigil.session_decisions (session_id, decided_by, decision, reason) VALUES ($1, $2, $3, $4)
       RETURNING created_at`,
      [input.sessionId, me.userId, input.decision, input.note ?? ''],
    );
    this.watchReport(input.sessionId, saved!.created_at);
  }

  /**
   * The insert raised the worker's report request in its own transaction (central 0440); this looks,
   * in the background, for the version the worker files after it, and tells the page, so the new
   * version shows without a reload. The verdict is stored and audited whatever happens here; a
   * failed look is reported, not thrown. Server times on both sides: the worker's version is
   * filed in a transaction that starts after this insert committed.
   */
  private watchReport(sessionId: string, since: Date): void {
    const notify = this.options.onReportFiled;
    if (!notify || this.closed) return;
    const deadline = Date.now() + (this.options.reportWaitMs ?? 120_000);
    const pollMs = this.options.reportPollMs ?? 1000;
    const look = async (): Promise<void> => {
      while (!this.closed && Date.now() < deadline) {
        const [found] = await this.query(
          `SELECT 1 AS found FROM vigil.report_versions
           WHERE session_id = $1 AND filed_by = 'worker' AND created_at >= $2 LIMIT 1`,
          [sessionId, since],
        );
        if (found) {
          notify(sessionId);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    };
    const watch: Promise<void> = look()
      .catch((error: unknown) => this.options.onReportError?.(sessionId, error))
      .finally(() => this.watches.delete(watch));
    this.watches.add(watch);
  }

  /** Stops looking for reports (at sign-out); resolves once no look is running. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.watches]);
  }

  /**
   * A blob (snapshot, ID image, clip, video) of a visible session: its type and size, and `read`,
   * which streams bytes [start, end) from the stored chunks a few at a time, so a 3-hour recording
   * is served to the `<video>` element one range at a time, never whole in memory.
   */
  async blob(sha256: string): Promise<StoredBlob> {
    const meta = await this.blobMeta(sha256);
    const size = Number(meta.size);
    return {
      contentType: meta.content_type,
      size,
      read: (range = {}) => {
        const start = range.start ?? 0;
        const end = Math.min(range.end ?? size, size);
        if (!Number.isSafeInteger(start) || start < 0 || start > end)
          throw new VigilError(
            'BAD_REQUEST',
            `Bytes ${start}–${end} are not inside that ${size}-byte file.`,
            {
              size,
            },
          );
        return readChunks(this.query, meta.id, start, end);
      },
    };
  }

  /**
   * Where the console's page loads a blob: a same-origin URL (`app://vigil/…` in the Electron shell,
   * the host's loopback address in a browser) whose key is a MAC of the file's hash under a secret of
   * this sign-in, so no other web page can embed evidence files and sign-out invalidates every URL.
   */
  async blobUrl(sha256: string): Promise<{ contentType: string; size: number; url: string }> {
    const meta = await this.blobMeta(sha256);
    const key = createHmac('sha256', this.urlSecret).update(sha256).digest('base64url');
    return {
      contentType: meta.content_type,
      size: Number(meta.size),
      url: `${BLOB_ROUTE}${sha256}?key=${key}`,
    };
  }

  /** Whether `key` is this sign-in's key for `sha256` (see blobUrl). */
  blobKeyMatches(sha256: string, key: string): boolean {
    const expected = createHmac('sha256', this.urlSecret).update(sha256).digest();
    const given = Buffer.from(key, 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private async blobMeta(sha256: string): Promise<{ id: string; content_type: string; size: string }> {
    if (!/^[0-9a-f]{64}$/.test(sha256))
      throw new VigilError('BAD_REQUEST', 'A blob is named by its sha256 (64 hex digits).');
    // A blob whose whole hash the server checked comes first (migration 0400: files over 512 MiB
    // are accepted on their per-chunk hashes).
    const [b] = await this.query<{ id: string; content_type: string; size: string }>(
      `SELECT id, content_type, size FROM vigil.blobs WHERE sha256 = decode($1, 'hex') AND status = 'complete'
       ORDER BY whole_hash_verified DESC, completed_at LIMIT 1`,
      [sha256],
    );
    if (!b)
      throw new VigilError('NOT_FOUND', `There is no uploaded file ${sha256.slice(0, 12)}… you may see.`);
    return b;
  }
}

/** Bytes [start, end) of a file; both default to the whole file. */
export interface ByteRange {
  start?: number;
  end?: number;
}

export interface StoredBlob {
  contentType: string;
  size: number;
  read(range?: ByteRange): AsyncIterable<Buffer>;
}

/** The URL path the console's page loads blobs from (host route and app:// protocol alike). */
export const BLOB_ROUTE = '/review-blob/';

/** Chunks per query: 2 × the uploader's 1 MiB (4 MiB as hex text on the wire): memory stays a few MiB. */
const CHUNKS_PER_READ = 2;

/**
 * Reads bytes [start, end) of a blob in pages of a few chunks, cutting the first and last chunk in
 * SQL (chunks are stored uncompressed, so PostgreSQL reads only the slices asked for). Every bound
 * is a plain parameter, so each page is an index range scan on (blob_id, offset) even under
 * row-level security (a bound computed in the query would be filtered row by row from offset 0).
 * The next page is read only when the consumer asks for it: a `<video>` element that seeks
 * elsewhere and drops its connection stops the reading.
 */
async function* readChunks(
  query: SqlQuery,
  blobId: string,
  start: number,
  end: number,
): AsyncGenerator<Buffer> {
  if (start >= end) return;
  const [first] = await query<{ at: string | null }>(
    `SELECT max("offset") AS at FROM vigil.blob_chunks WHERE blob_id = $1 AND "offset" <= $2::bigint`,
    [blobId, start],
  );
  let chunkAt = Number(first?.at ?? 0);
  let position = start;
  while (position < end) {
    const rows = await query<{ offset: string; length: number; data: Buffer }>(
      `SELECT "offset", octet_length(data) AS length,
              substring(data FROM greatest($2::bigint - "offset", 0)::int + 1
                        FOR least($3::bigint - greatest($2::bigint, "offset"), octet_length(data))::int) AS data
       FROM vigil.blob_chunks
       WHERE blob_id = $1 AND "offset" >= $4::bigint AND "offset" < $3::bigint
       ORDER BY "offset" LIMIT ${CHUNKS_PER_READ}`,
      [blobId, position, end, chunkAt],
    );
    if (rows.length === 0)
      throw new VigilError('INTEGRITY', `The stored file ends at byte ${position}, before byte ${end}.`);
    for (const row of rows) {
      const from = Math.max(position, Number(row.offset));
      if (from !== position)
        throw new VigilError('INTEGRITY', `The stored file has no bytes from ${position} to ${from}.`);
      position = from + row.data.length;
      chunkAt = Number(row.offset) + Number(row.length);
      yield row.data;
    }
  }
}
