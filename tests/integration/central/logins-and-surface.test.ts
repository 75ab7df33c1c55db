// Issue 19 items 2 and 5 on a real PostgreSQL 15: what a device login can do besides the ingest
// functions (nothing: no signalling other backends, no large objects, no temporary tables, no
// advisory locks, a connection limit), how `vigil migrate` closes PUBLIC's surface or says what a
// superuser must run, that logins are made only by vigil.create_login from SCRAM verifiers (no
// password in any SQL text the server logs, admins without CREATEROLE), and that the audit log is
// append-only for every role while deleting a verdict is audited.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDeviceLogin,
  createLogin,
  createStaffLogin,
  createUser,
  createWorkerLogin,
} from '../../../src-main/central/admin';
import { AdminService } from '../../../src-main/admin/admin-service';
import { openPostgres, type CentralStore } from '../../../src-main/central/connect';
import { migrateCentral } from '../../../src-main/central/migrate';
import {
  assertSurfaceClosed,
  findPublicSurface,
  hardenPublicSurface,
} from '../../../src-main/central/public-surface';
import { scramVerifier } from '../../../src-main/central/scram';
import { VigilError } from '../../../src-main/errors';
import { centralMigrations } from '../../../migrations/central/index';
import { startCentral, DEVICE_LOGIN, type CentralFixture } from '../../support/central';
import { runVigil } from '../../support/cli';
import { startPostgres, type PostgresCluster } from '../../support/postgres';
import { chainedEvents, sessionStart, warningItem } from '../../support/items';

async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

async function refusal(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as { code?: string; message: string },
  );
  expect(error, 'expected a refusal').toBeDefined();
  return error!;
}

describe('a device login on the hardened central database', () => {
  let central: CentralFixture;
  const open: pg.Client[] = [];
  beforeAll(async () => {
    central = await startCentral();
  });
  afterAll(async () => {
    for (const c of open) await c.end().catch(() => undefined);
    await central?.close();
  });

  it("cannot end or cancel another device's backend of the same login", async () => {
    const a = await client(central.pg.urlFor(DEVICE_LOGIN));
    const b = await client(central.pg.urlFor(DEVICE_LOGIN));
    open.push(a, b);
    const pidB = (await b.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    for (const text of ['SELECT pg_terminate_backend($1)', 'SELECT pg_cancel_backend($1)']) {
      const error = await refusal(a.query(text, [pidB]));
      expect(error.code).toBe('42501');
      expect(error.message).toMatch(/^permission denied for function pg_(terminate|cancel)_backend$/);
    }
    // B's connection is untouched and still ingests.
    const device = await central.enroll();
    const sessionId = randomUUID();
    const items = [sessionStart(sessionId), ...chainedEvents(sessionId, 2).items, warningItem(sessionId)];
    const { rows } = await b.query<{ r: { status: string }[] }>('SELECT vigil.ingest($1, $2::jsonb) AS r', [
      device.token,
      JSON.stringify(items),
    ]);
    expect(rows[0]!.r.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
  });

  it('cannot create large objects, temporary tables, advisory locks or objects in public', async () => {
    const a = await client(central.pg.urlFor(DEVICE_LOGIN));
    open.push(a);
    for (const [text, fn] of [
      ['SELECT lo_create(0)', 'lo_create'],
      ["SELECT lo_from_bytea(0, '\\x00'::bytea)", 'lo_from_bytea'],
      ['SELECT lo_creat(-1)', 'lo_creat'],
      ['SELECT pg_advisory_lock(42)', 'pg_advisory_lock'],
      ['SELECT pg_try_advisory_xact_lock(42)', 'pg_try_advisory_xact_lock'],
    ] as const) {
      const error = await refusal(a.query(text));
      expect(error.code, text).toBe('42501');
      expect(error.message).toBe(`permission denied for function ${fn}`);
    }
    const temp = await refusal(a.query('CREATE TEMP TABLE t (x int)'));
    expect(temp).toMatchObject({
      code: '42501',
      message: 'permission denied to create temporary tables in database "vigil"',
    });
    const pub = await refusal(a.query('CREATE TABLE public.t (x int)'));
    expect(pub).toMatchObject({ code: '42501', message: 'permission denied for schema public' });
    const table = await refusal(a.query('SELECT * FROM vigil.devices'));
    expect(table).toMatchObject({ code: '42501', message: 'permission denied for table devices' });
    // …and the ingest call on this very connection works.
    const device = await central.enroll();
    const { rows } = await a.query<{ r: { status: string }[] }>('SELECT vigil.ingest($1, $2::jsonb) AS r', [
      device.token,
      JSON.stringify([sessionStart()]),
    ]);
    expect(rows[0]!.r[0]!.status).toBe('applied');
    // The worker's queue and the definer functions keep their advisory locks.
    const granted = await central.owner.query<{ owner: boolean; worker: boolean; device: boolean }>(
      `SELECT has_function_privilege('vigil_owner', 'pg_advisory_xact_lock(bigint)', 'EXECUTE') AS owner,
              has_function_privilege('vigil_worker', 'pg_advisory_xact_lock(bigint)', 'EXECUTE') AS worker,
              has_function_privilege('${DEVICE_LOGIN}', 'pg_advisory_xact_lock(bigint)', 'EXECUTE') AS device`,
    );
    expect(granted[0]).toEqual({ owner: true, worker: true, device: false });
  });

  it('has a connection limit: one more connection than it allows is refused', async () => {
    await createDeviceLogin(central.owner.db, { roleName: 'device_two', password: 'pw', connectionLimit: 2 });
    const [{ rolconnlimit }] = (
      await sql<{
        rolconnlimit: number;
      }>`SELECT rolconnlimit FROM pg_roles WHERE rolname = 'device_two'`.execute(central.owner.db)
    ).rows as [{ rolconnlimit: number }];
    expect(rolconnlimit).toBe(2);
    open.push(await client(central.pg.urlFor('device_two')), await client(central.pg.urlFor('device_two')));
    const error = await refusal(client(central.pg.urlFor('device_two')));
    expect(error).toMatchObject({ code: '53300', message: 'too many connections for role "device_two"' });
    // The default is a device's pool, documented on createDeviceLogin.
    await createDeviceLogin(central.owner.db, { roleName: 'device_default', password: 'pw' });
    const def = await central.owner.query<{ n: number }>(
      `SELECT rolconnlimit AS n FROM pg_roles WHERE rolname = 'device_default'`,
    );
    expect(def[0]!.n).toBe(4);
    await expect(
      createDeviceLogin(central.owner.db, { roleName: 'device_none', password: 'pw', connectionLimit: 0 }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('a login that is not a Vigil role cannot connect to the database at all', async () => {
    const su = await client(central.pg.adminUrl);
    open.push(su);
    await su.query(`CREATE ROLE stranger LOGIN PASSWORD '${scramVerifier('pw')}'`);
    const error = await refusal(client(central.pg.urlFor('stranger')));
    expect(error).toMatchObject({ code: '42501', message: 'permission denied for database "vigil"' });
  });
});

describe('migrating, closing the surface, creating logins (a bare cluster)', () => {
  let cluster: PostgresCluster;
  let owner: CentralStore;
  let logFile: string;
  const stores: CentralStore[] = [];
  beforeAll(async () => {
    cluster = await startPostgres();
    owner = openPostgres({ url: cluster.url, sslMode: 'disable', maxConnections: 2 });
    logFile = path.join(path.dirname(cluster.dataDir), 'server.log');
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await owner?.close();
    await cluster?.stop();
  });

  it('0510 takes CREATEROLE back from admin logins made before it', async () => {
    const before = Object.fromEntries(
      Object.entries(centralMigrations).filter(([name]) => name !== '0510_append_only_audit_and_logins'),
    );
    await migrateCentral(owner.db, before);
    await owner.query(`CREATE ROLE old_admin CREATEROLE IN ROLE vigil_admin`);
    const report = await migrateCentral(owner.db);
    expect(report.applied).toEqual(['0510_append_only_audit_and_logins']);
    const [row] = await owner.query<{ rolcreaterole: boolean }>(
      `SELECT rolcreaterole FROM pg_roles WHERE rolname = 'old_admin'`,
    );
    expect(row!.rolcreaterole).toBe(false);
  });

  it('an unclosed surface lets one device end another; the owner closes what it owns, the rest needs a superuser', async () => {
    await createDeviceLogin(owner.db, { roleName: 'shared_device', password: 'pw', connectionLimit: 5 });
    const a = await client(cluster.urlFor('shared_device'));
    const b = await client(cluster.urlFor('shared_device'));
    const pidB = (await b.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    b.on('error', () => undefined);
    // What PostgreSQL allows by default: the attack this issue is about.
    const ended = await a.query<{ done: boolean }>('SELECT pg_terminate_backend($1) AS done', [pidB]);
    expect(ended.rows[0]!.done).toBe(true);
    await expect(b.query('SELECT 1')).rejects.toThrow();
    await a.end();
    await b.end().catch(() => undefined);

    const found = (await findPublicSurface(owner.query)).map((f) => f.what);
    expect(found).toEqual(
      expect.arrayContaining([
        'EXECUTE on pg_catalog.pg_terminate_backend(integer,bigint) for PUBLIC (backend signalling)',
        'EXECUTE on pg_catalog.lo_create(oid) for PUBLIC (large objects)',
        'CONNECT and TEMPORARY on database vigil for PUBLIC',
      ]),
    );
    // The migration owner owns the database, not pg_catalog.
    const asOwner = await hardenPublicSurface(owner.query);
    expect(asOwner.applied).toContain('REVOKE CONNECT, TEMPORARY ON DATABASE "vigil" FROM PUBLIC');
    expect(asOwner.open.every((f) => f.needs === 'superuser')).toBe(true);
    expect(asOwner.open.length).toBeGreaterThan(10);
    let error: unknown;
    try {
      assertSurfaceClosed(asOwner, 'vigil');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('CONFIG_INVALID');
    expect((error as VigilError).message).toContain(
      'REVOKE EXECUTE ON FUNCTION pg_catalog.pg_terminate_backend(integer,bigint) FROM PUBLIC;',
    );
  });

  it('vigil migrate --require-closed-surface fails as the owner with the SQL to run, passes after a superuser run', () => {
    const env = {
      VIGIL_DATA_DIR: path.join(path.dirname(cluster.dataDir), 'cli'),
      VIGIL_POLICY_FILE: '/nonexistent.json',
    };
    const url = `${cluster.url}?sslmode=disable`;
    const refused = runVigil(['migrate', '--central', url, '--require-closed-surface'], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('REVOKE EXECUTE ON FUNCTION pg_catalog.lo_create(oid) FROM PUBLIC;');
    const plain = runVigil(['migrate', '--central', url], env);
    expect(plain.status).toBe(0);
    expect(plain.stderr).toBe('');
    expect(plain.stdout).toMatch(/warning: every login \(devices included\) can still do \d+ thing/);
    const asSuperuser = runVigil(
      ['migrate', '--central', `${cluster.adminUrl}?sslmode=disable`, '--surface-only'],
      env,
    );
    expect(asSuperuser.status).toBe(0);
    // No migration ran as the superuser: only the surface was closed.
    expect(asSuperuser.stdout).toMatch(/^closed the PUBLIC surface: \d+ statement\(s\)\n$/);
    const strict = runVigil(['migrate', '--central', url, '--require-closed-surface'], env);
    expect(strict.stderr).toBe('');
    expect(strict.status).toBe(0);
  });

  it('no password appears in any statement the server logs, and each login works with its password', async () => {
    const su = await client(cluster.adminUrl);
    await su.query(`ALTER SYSTEM SET log_statement = 'all'`);
    await su.query(`SELECT pg_reload_conf()`);
    await su.end();
    await new Promise((r) => setTimeout(r, 300));
    const logStart = fs.statSync(logFile).size;
    const passwords = {
      device: 'device-Secret-7f3a91',
      worker: 'worker-Secret-2b8c44',
      proctor: 'proctor-Secret-9d1e07',
      admin: 'admin-Secret-5c6f12x',
      staff: 'staff-Secret-0a4b33y',
    };
    await createDeviceLogin(owner.db, { roleName: 'dev_logged', password: passwords.device });
    await createWorkerLogin(owner.db, { roleName: 'worker_logged', password: passwords.worker });
    const proctorId = await createUser(owner.db, { email: 'p@x.test', role: 'proctor' });
    await createStaffLogin(owner.db, {
      userId: proctorId,
      roleName: 'proctor_logged',
      password: passwords.proctor,
      group: 'vigil_proctor',
    });
    // An admin made by the owner adds another admin through the CLI's service, without CREATEROLE.
    const adminId = await new AdminService(owner.query).addStaff({
      email: 'a@x.test',
      role: 'admin',
      login: 'admin_logged',
      password: passwords.admin,
    });
    const admin = openPostgres({ url: cluster.urlFor('admin_logged', passwords.admin), sslMode: 'disable' });
    stores.push(admin);
    await new AdminService(admin.query).addStaff({
      email: 's@x.test',
      role: 'proctor',
      login: 'staff_logged',
      password: passwords.staff,
    });
    await new Promise((r) => setTimeout(r, 300));
    const log = fs.readFileSync(logFile, 'utf8').slice(logStart);
    expect(log).toContain('vigil.create_login');
    expect(log).toContain('SCRAM-SHA-256$4096:');
    for (const [who, password] of Object.entries(passwords))
      expect(log.includes(password), `${who}'s password in the server log`).toBe(false);
    expect(log).not.toMatch(/CREATE ROLE/i);
    for (const [login, password] of [
      ['dev_logged', passwords.device],
      ['worker_logged', passwords.worker],
      ['proctor_logged', passwords.proctor],
      ['staff_logged', passwords.staff],
    ] as const) {
      const c = await client(cluster.urlFor(login, password));
      expect((await c.query<{ u: string }>('SELECT session_user AS u')).rows[0]!.u).toBe(login);
      await c.end();
    }
    const roles = await owner.query<{ rolname: string; rolcreaterole: boolean; rolconnlimit: number }>(
      `SELECT rolname, rolcreaterole, rolconnlimit FROM pg_roles WHERE rolname LIKE '%\\_logged' ORDER BY 1`,
    );
    expect(roles.every((r) => !r.rolcreaterole)).toBe(true);
    const audit = await owner.query<{ target_id: string; actor_role: string }>(
      `SELECT target_id, actor_role FROM vigil.audit_log WHERE action = 'create_login' AND target_id LIKE '%\\_logged' ORDER BY id`,
    );
    expect(audit.map((r) => r.target_id)).toEqual([
      'dev_logged',
      'worker_logged',
      'proctor_logged',
      'admin_logged',
      'staff_logged',
    ]);
    expect(audit.at(-1)!.actor_role).toBe('admin_logged');
    const [link] = await owner.query<{ pg_role: string }>(`SELECT pg_role FROM vigil.users WHERE id = $1`, [
      adminId,
    ]);
    expect(link!.pg_role).toBe('admin_logged');
  });

  it('an admin cannot create roles itself, nor make vigil.create_login grant anything but a Vigil group', async () => {
    const admin = stores[0]!;
    const direct = await refusal(admin.query(`CREATE ROLE sneaky LOGIN`));
    expect(direct).toMatchObject({ code: '42501', message: 'permission denied to create role' });
    for (const group of ['vigil_owner', 'pg_signal_backend', 'postgres']) {
      const error = await refusal(
        createLogin(admin.query, { roleName: 'sneaky', password: 'pw', group: group as 'vigil_admin' }),
      );
      expect(error).toBeInstanceOf(VigilError);
      expect((error as VigilError).code).toBe('FORBIDDEN');
      expect(error.message).toContain(
        `create_login grants only vigil_admin, vigil_proctor, vigil_worker or vigil_device, not ${group}`,
      );
    }
    const plain = await refusal(
      admin.query(`SELECT vigil.create_login('sneaky', 'vigil_proctor', 'a plain password')`),
    );
    expect(plain).toMatchObject({
      code: '22023',
      message: 'create_login takes a SCRAM-SHA-256 verifier, never a password',
    });
    const md5 = await refusal(
      admin.query(`SELECT vigil.create_login('sneaky', 'vigil_proctor', 'md5' || md5('pwsneaky'))`),
    );
    expect(md5.code).toBe('22023');
    // A proctor cannot call it at all.
    const proctor = openPostgres({
      url: cluster.urlFor('staff_logged', 'staff-Secret-0a4b33y'),
      sslMode: 'disable',
    });
    stores.push(proctor);
    const denied = await refusal(proctor.query(`SELECT vigil.create_login('x_y_z', 'vigil_admin', 'x')`));
    expect(denied).toMatchObject({ code: '42501', message: 'permission denied for function create_login' });
    const [none] = await owner.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_roles WHERE rolname IN ('sneaky', 'x_y_z')`,
    );
    expect(none!.n).toBe('0');
  });

  it("scramVerifier computes exactly PostgreSQL's own verifier (same salt and iterations), SASLprep included", async () => {
    const su = await client(cluster.adminUrl);
    try {
      // PostgreSQL hashing a password itself (only here, to compare): ASCII and one NFKC-mapped.
      for (const [role, password] of [
        ['kat_ascii', 'correct horse battery staple'],
        ['kat_unicode', 'Pässwörd ﬁne'],
      ] as const) {
        await su.query(`SET password_encryption = 'scram-sha-256'`);
        await su.query(`CREATE ROLE ${role} PASSWORD '${password}'`);
        const { rows } = await su.query<{ v: string }>(
          `SELECT rolpassword AS v FROM pg_authid WHERE rolname = $1`,
          [role],
        );
        const stored = rows[0]!.v;
        const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(stored)!;
        expect(
          scramVerifier(password, { iterations: Number(iterations), salt: Buffer.from(salt!, 'base64') }),
        ).toBe(stored);
      }
    } finally {
      await su.end();
    }
  });
});

describe('the audit log is append-only', () => {
  let central: CentralFixture;
  let admin: CentralStore;
  beforeAll(async () => {
    central = await startCentral();
    const adminId = await createUser(central.owner.db, { email: 'admin@x.test', role: 'admin' });
    await createStaffLogin(central.owner.db, {
      userId: adminId,
      roleName: 'audit_admin',
      password: 'pw',
      group: 'vigil_admin',
    });
    admin = openPostgres({ url: central.pg.urlFor('audit_admin'), sslMode: 'disable', maxConnections: 2 });
  });
  afterAll(async () => {
    await admin?.close();
    await central?.close();
  });

  it('no admin and not the owner can UPDATE, DELETE or TRUNCATE it', async () => {
    const device = await central.enroll();
    const [row] = await central.owner.query<{ id: string }>(
      `SELECT id FROM vigil.audit_log WHERE action = 'redeem_enrollment' AND device_id = $1`,
      [device.deviceId],
    );
    expect(row).toBeDefined();
    for (const text of [
      `UPDATE vigil.audit_log SET action = 'nothing' WHERE id = ${row!.id}`,
      `DELETE FROM vigil.audit_log WHERE id = ${row!.id}`,
      `TRUNCATE vigil.audit_log`,
    ]) {
      expect(await refusal(admin.query(text)), text).toMatchObject({
        code: '42501',
        message: 'permission denied for table audit_log',
      });
    }
    for (const [text, op] of [
      [`UPDATE vigil.audit_log SET action = 'nothing' WHERE id = ${row!.id}`, 'UPDATE'],
      [`UPDATE vigil.audit_log SET device_id = NULL WHERE id = ${row!.id}`, 'UPDATE'],
      [`DELETE FROM vigil.audit_log WHERE id = ${row!.id}`, 'DELETE'],
      [`TRUNCATE vigil.audit_log`, 'TRUNCATE'],
    ] as const) {
      expect(await refusal(central.owner.query(text)), text).toMatchObject({
        code: '42501',
        message: `the audit log is append-only (${op} refused)`,
      });
    }
    const [still] = await central.owner.query<{ action: string; device_id: string }>(
      `SELECT action, device_id FROM vigil.audit_log WHERE id = $1`,
      [row!.id],
    );
    expect(still).toEqual({ action: 'redeem_enrollment', device_id: device.deviceId });
    // Erasing the candidate still works: the rows stay, their device reference goes (ON DELETE SET NULL).
    await central.owner.query(`DELETE FROM vigil.users WHERE id = $1`, [device.candidateId]);
    const [after] = await central.owner.query<{ action: string; device_id: string | null }>(
      `SELECT action, device_id FROM vigil.audit_log WHERE id = $1`,
      [row!.id],
    );
    expect(after).toEqual({ action: 'redeem_enrollment', device_id: null });
  });

  it('deleting a review or a decision writes an audit row, directly or by cascade', async () => {
    const device = await central.enroll();
    const sessionId = randomUUID();
    await central.channel.ingest(device.token, [sessionStart(sessionId), warningItem(sessionId)]);
    const [warning] = await central.owner.query<{ id: string }>(
      `SELECT id FROM vigil.warnings WHERE session_id = $1`,
      [sessionId],
    );
    const [me] = await admin.query<{ id: string }>(`SELECT id FROM vigil.users WHERE pg_role = current_user`);
    const [review] = await admin.query<{ id: string }>(
      `INSERT INTO vigil.reviews (warning_id, reviewer_id, verdict, comment) VALUES ($1, $2, 'confirmed', 'seen') RETURNING id`,
      [warning!.id, me!.id],
    );
    const [decision] = await admin.query<{ id: string }>(
      `INSERT INTO vigil.session_decisions (session_id, decided_by, decision, reason) VALUES ($1, $2, 'fail', 'phone') RETURNING id`,
      [sessionId, me!.id],
    );
    await admin.query(`DELETE FROM vigil.reviews WHERE id = $1`, [review!.id]);
    const deleted = await central.owner.query<{
      action: string;
      actor_role: string;
      actor_user_id: string;
      target_id: string;
      details: Record<string, unknown>;
    }>(
      `SELECT action, actor_role, actor_user_id, target_id, details FROM vigil.audit_log
       WHERE action IN ('delete_review', 'delete_decision') ORDER BY id`,
    );
    expect(deleted).toHaveLength(1);
    expect(deleted).toMatchObject([
      {
        action: 'delete_review',
        actor_role: 'audit_admin',
        actor_user_id: me!.id,
        target_id: warning!.id,
        details: {
          op: 'delete',
          session_id: sessionId,
          review_id: review!.id,
          cascade: false,
          before: { verdict: 'confirmed', comment: 'seen', reviewer_id: me!.id },
          after: null,
        },
      },
    ]);
    // Deleting the session takes its decision with it: audited too, marked as a cascade.
    await admin.query(`DELETE FROM vigil.sessions WHERE id = $1`, [sessionId]);
    const cascaded = await central.owner.query<{
      action: string;
      actor_role: string;
      details: Record<string, unknown>;
    }>(`SELECT action, actor_role, details FROM vigil.audit_log WHERE action = 'delete_decision'`);
    expect(cascaded).toHaveLength(1);
    expect(cascaded).toMatchObject([
      {
        action: 'delete_decision',
        actor_role: 'audit_admin',
        details: {
          decision_id: decision!.id,
          cascade: true,
          before: { decision: 'fail', note: 'phone' },
        },
      },
    ]);
  });
});
