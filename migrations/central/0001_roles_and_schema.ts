// Central PostgreSQL: the schema and the group roles. Roles are cluster-wide, so they are created
// only if missing and never dropped by `down` (another database on the cluster may use them).
// vigil_owner marks whoever runs migrations: SECURITY DEFINER functions run as that role and the
// row-level security policies let it through, so nothing needs BYPASSRLS.
import { sql, type Kysely } from 'kysely';

const GROUP_ROLES = ['vigil_owner', 'vigil_device', 'vigil_proctor', 'vigil_admin'];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const role of GROUP_ROLES) {
    await sql
      .raw(
        `DO $$ BEGIN
           IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${role}') THEN
             CREATE ROLE ${role} NOLOGIN;
           END IF;
         END $$`,
      )
      .execute(db);
  }
  await sql`GRANT vigil_owner TO CURRENT_USER`.execute(db);
  await sql`CREATE SCHEMA vigil`.execute(db);
  await sql`REVOKE ALL ON SCHEMA vigil FROM PUBLIC`.execute(db);
  await sql`GRANT USAGE ON SCHEMA vigil TO vigil_device, vigil_proctor, vigil_admin`.execute(db);
  // New functions are not executable by PUBLIC unless granted on purpose.
  await sql`ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP SCHEMA vigil CASCADE`.execute(db);
}
