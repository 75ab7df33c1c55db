// What every login on the central database gets through PUBLIC, and closing it (issue 19 item 2).
//
// A device login is meant to do one thing: EXECUTE the ingest functions. PostgreSQL gives every role
// more than that through the PUBLIC pseudo-role, and some of it hurts when devices share a login (or
// a connection pooler's login): pg_terminate_backend / pg_cancel_backend end or cancel any backend
// of the same role, i.e. another candidate's upload; large objects (lo_create, lo_from_bytea,
// lowrite…) let a device store unbounded data outside every quota; session-level advisory locks
// (pg_advisory_lock) held on an idle connection block the definer functions and the worker's queue
// that take the same keys; CONNECT and TEMPORARY on the database let any login on the cluster in and
// let it fill temporary tables; CREATE on schema public lets it create objects.
//
// None of this is a migration: the pg_catalog functions belong to the bootstrap superuser, so only a
// superuser may revoke their EXECUTE from PUBLIC, and the database's privileges only its owner. The
// migration role is normally neither. `hardenPublicSurface` closes whatever the connected role may
// close (idempotent, every `vigil migrate` runs it) and returns what is still open with the exact SQL
// a DBA runs as superuser; `vigil migrate --require-closed-surface` turns an open surface into an
// error. What stays granted: advisory locks to vigil_owner (the definer functions, the migrator's
// lock) and vigil_worker (pg-boss); CONNECT to the Vigil group roles; nobody gets TEMPORARY,
// backend signalling or large objects back.
import { VigilError } from '../errors';
import type { SqlQuery } from './connect';

const VIGIL_ROLES = ['vigil_owner', 'vigil_admin', 'vigil_proctor', 'vigil_worker', 'vigil_device'];

/** Which pg_catalog functions PUBLIC must not execute, and who gets them back. */
const FUNCTION_GROUPS: { name: string; match: string; grantTo: string[] }[] = [
  {
    name: 'backend signalling',
    match: `p.proname IN ('pg_terminate_backend', 'pg_cancel_backend')`,
    grantTo: [],
  },
  {
    name: 'large objects',
    match: `(p.proname LIKE 'lo\\_%' OR p.proname IN ('lowrite', 'loread'))`,
    grantTo: [],
  },
  {
    name: 'advisory locks',
    match: `p.proname ~ '^pg_(try_)?advisory_'`,
    grantTo: ['vigil_owner', 'vigil_worker'],
  },
];

export interface SurfaceFinding {
  /** e.g. "EXECUTE on pg_catalog.lo_create(oid) for PUBLIC". */
  what: string;
  /** Who may close it: a superuser (pg_catalog) or the database's owner. */
  needs: 'superuser' | 'database owner';
  /** The statements that close it. */
  fix: string[];
}

export interface SurfaceReport {
  /** Statements this run executed. */
  applied: string[];
  /** What is still open (empty: the surface is closed). */
  open: SurfaceFinding[];
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Everything PUBLIC can still do that a device login should not (read from the catalog). */
export async function findPublicSurface(query: SqlQuery): Promise<SurfaceFinding[]> {
  const findings: SurfaceFinding[] = [];
  // proacl NULL means the built-in default, which for functions is EXECUTE to PUBLIC.
  for (const group of FUNCTION_GROUPS) {
    const rows = await query<{ signature: string }>(
      `SELECT p.oid::regprocedure::text AS signature FROM pg_catalog.pg_proc p
       WHERE p.pronamespace = 'pg_catalog'::regnamespace AND ${group.match}
         AND (p.proacl IS NULL OR EXISTS (SELECT FROM pg_catalog.aclexplode(p.proacl) a
                                          WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'))
       ORDER BY 1`,
    );
    for (const { signature } of rows) {
      const fn = `pg_catalog.${signature}`;
      findings.push({
        what: `EXECUTE on ${fn} for PUBLIC (${group.name})`,
        needs: 'superuser',
        fix: [
          `REVOKE EXECUTE ON FUNCTION ${fn} FROM PUBLIC`,
          ...(group.grantTo.length > 0
            ? [`GRANT EXECUTE ON FUNCTION ${fn} TO ${group.grantTo.join(', ')}`]
            : []),
        ],
      });
    }
  }
  const [database] = await query<{ name: string; connect: boolean; temporary: boolean }>(
    `SELECT d.datname AS name,
       d.datacl IS NULL OR EXISTS (SELECT FROM pg_catalog.aclexplode(d.datacl) a
                                   WHERE a.grantee = 0 AND a.privilege_type = 'CONNECT') AS connect,
       d.datacl IS NULL OR EXISTS (SELECT FROM pg_catalog.aclexplode(d.datacl) a
                                   WHERE a.grantee = 0 AND a.privilege_type = 'TEMPORARY') AS temporary
     FROM pg_catalog.pg_database d WHERE d.datname = current_database()`,
  );
  if (database && (database.connect || database.temporary)) {
    const db = quoteIdent(database.name);
    const open = [database.connect ? 'CONNECT' : null, database.temporary ? 'TEMPORARY' : null].filter(
      (p): p is string => p !== null,
    );
    findings.push({
      what: `${open.join(' and ')} on database ${database.name} for PUBLIC`,
      needs: 'database owner',
      fix: [
        `GRANT CONNECT ON DATABASE ${db} TO ${VIGIL_ROLES.join(', ')}`,
        `REVOKE ${open.join(', ')} ON DATABASE ${db} FROM PUBLIC`,
      ],
    });
  }
  const [schema] = await query<{ open: boolean }>(
    `SELECT n.nspacl IS NULL OR EXISTS (SELECT FROM pg_catalog.aclexplode(n.nspacl) a
                                        WHERE a.grantee = 0 AND a.privilege_type = 'CREATE') AS open
     FROM pg_catalog.pg_namespace n WHERE n.nspname = 'public'`,
  );
  if (schema?.open)
    findings.push({
      what: 'CREATE on schema public for PUBLIC',
      needs: 'database owner',
      fix: ['REVOKE CREATE ON SCHEMA public FROM PUBLIC'],
    });
  return findings;
}

/**
 * Closes what the connected role may close (a superuser: everything; the database's owner: the
 * database and schema privileges) and reports the rest. Run after the migrations (they create the
 * group roles the grants name).
 */
export async function hardenPublicSurface(query: SqlQuery): Promise<SurfaceReport> {
  const [me] = await query<{ superuser: boolean; owns_database: boolean }>(
    `SELECT r.rolsuper AS superuser,
       pg_catalog.pg_has_role(current_user, d.datdba, 'MEMBER') AS owns_database
     FROM pg_catalog.pg_roles r, pg_catalog.pg_database d
     WHERE r.rolname = current_user AND d.datname = current_database()`,
  );
  const applied: string[] = [];
  for (const finding of await findPublicSurface(query)) {
    const may = me?.superuser || (finding.needs === 'database owner' && me?.owns_database);
    if (!may) continue;
    for (const statement of finding.fix) {
      await query(statement);
      applied.push(statement);
    }
  }
  return { applied, open: await findPublicSurface(query) };
}

/** The SQL a DBA runs as a superuser on the central database to close what is still open. */
export function surfaceFixSql(open: SurfaceFinding[]): string {
  return open.flatMap((f) => f.fix.map((s) => `${s};`)).join('\n');
}

/** `vigil migrate --require-closed-surface`: an open surface is an error that says what to run. */
export function assertSurfaceClosed(report: SurfaceReport, database: string): void {
  if (report.open.length === 0) return;
  throw new VigilError(
    'CONFIG_INVALID',
    `The central database still lets every login (devices included) do ${report.open.length} thing(s) ` +
      `Vigil closes: ${report.open.map((f) => f.what).join('; ')}. The migration role may not revoke ` +
      `them. Run this as a superuser on database ${database} (psql -d ${database}), or run ` +
      `\`vigil migrate --surface-only\` once with a superuser URL:\n${surfaceFixSql(report.open)}`,
    { open: report.open.map((f) => f.what), sql: surfaceFixSql(report.open) },
  );
}
