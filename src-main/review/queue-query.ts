// Builds the risk-ranked queue query. The rank is the server's risk (central worker, migration 0410)
// and, until the server has scored a session, the device's (advisory). Keyset paging on
// (rank, id) descending so page N costs the same as page 1 at 100,000 sessions (migration 0410 has
// the matching indexes); row-level security, not this query, decides which exams the caller sees.
import { VigilError } from '../errors';
import type { QueueFilter } from './types';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(rank: number, id: string): string {
  return Buffer.from(JSON.stringify([rank, id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { rank: number; id: string } {
  try {
    const [rank, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof rank === 'number' && typeof id === 'string' && UUID.test(id)) return { rank, id };
  } catch {
    // fall through to the error below
  }
  throw new VigilError('BAD_REQUEST', 'The queue cursor is not valid: reload the queue from the first page.');
}

/** Escapes LIKE wildcards so a search for "a_b" finds exactly that. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The queue's rank expression; the same text as the index expressions of migration 0410. */
const RANK = 'coalesce(s.server_risk_score, s.risk_score, -1)';

export function buildQueueQuery(filter: QueueFilter): { text: string; params: unknown[]; limit: number } {
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where: string[] = [];
  if (filter.examId) where.push(`s.exam_id = ${p(filter.examId)}`);
  if (filter.from) where.push(`s.started_at >= ${p(filter.from)}`);
  if (filter.to) where.push(`s.started_at < ${p(filter.to)}`);
  if (filter.status) where.push(`s.status = ${p(filter.status)}`);
  if (filter.warningType) {
    where.push(
      `((SELECT true FROM vigil.warnings wf WHERE wf.session_id = s.id AND wf.type = ${p(filter.warningType)} LIMIT 1) IS NOT NULL)`,
    );
  }
  const decided = `((SELECT true FROM vigil.session_decisions d WHERE d.session_id = s.id LIMIT 1) IS NOT NULL)`;
  // A scalar sub-select, not EXISTS: the planner may turn EXISTS into one hashed pass over every
  // review in the store, where this stays a per-row probe of the page's sessions.
  const reviewed = `((SELECT true FROM vigil.warnings wr JOIN vigil.reviews r ON r.warning_id = wr.id
    WHERE wr.session_id = s.id LIMIT 1) IS NOT NULL)`;
  if (filter.reviewState === 'decided') where.push(decided);
  if (filter.reviewState === 'in_review') where.push(`NOT ${decided} AND ${reviewed}`);
  if (filter.reviewState === 'pending') where.push(`NOT ${decided} AND NOT ${reviewed}`);
  if (filter.search?.trim()) {
    where.push(
      `s.candidate_id IN (SELECT vigil.search_candidate_ids(current_user, ${p(likePattern(filter.search.trim()))}))`,
    );
  }
  if (filter.cursor) {
    const { rank, id } = decodeCursor(filter.cursor);
    where.push(`(${RANK}, s.id) < (${p(rank)}::numeric, ${p(id)}::uuid)`);
  }
  const limit = Math.min(Math.max(filter.limit ?? DEFAULT_PAGE, 1), MAX_PAGE);
  // The page of sessions is chosen first, on sessions alone (walking the keyset index), and only
  // its rows are joined and decorated; MATERIALIZED keeps the planner from merging the two.
  const text = `
    WITH page AS MATERIALIZED (
      SELECT s.id, s.exam_id, s.candidate_id, s.status, s.started_at, s.ended_at, s.risk_score,
             s.server_risk_score
      FROM vigil.sessions s
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${RANK} DESC, s.id DESC
      LIMIT ${p(limit + 1)}
    )
    SELECT s.id, s.exam_id, (SELECT e.title FROM vigil.exams e WHERE e.id = s.exam_id) AS exam_title, s.candidate_id,
           u.display_name, u.email, s.status,
           s.started_at, s.ended_at, coalesce(s.server_risk_score, s.risk_score)::float8 AS risk_score,
           CASE WHEN s.server_risk_score IS NOT NULL THEN 'server'
                WHEN s.risk_score IS NOT NULL THEN 'device' END AS risk_source,
           ${RANK}::float8 AS rank,
           (SELECT coalesce(jsonb_agg(jsonb_build_object('type', f.type, 'count', f.n) ORDER BY f.n DESC, f.type), '[]')
              FROM (SELECT w.type, count(*)::int AS n FROM vigil.warnings w WHERE w.session_id = s.id GROUP BY w.type) f) AS flags,
           (SELECT d.decision FROM vigil.session_decisions d WHERE d.session_id = s.id
              ORDER BY d.created_at DESC LIMIT 1) AS decision,
           ${reviewed} AS reviewed
    FROM page s
    LEFT JOIN LATERAL (SELECT u.display_name, u.email FROM vigil.users u WHERE u.id = s.candidate_id) u ON true
    ORDER BY ${RANK} DESC, s.id DESC`;
  return { text, params, limit };
}
