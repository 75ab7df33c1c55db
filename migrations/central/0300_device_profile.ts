// Central PostgreSQL: the device learns whose device it is. Reports made on the device (the PDF at the
// end of a session) name the candidate; before this, the device knew only the candidate's id. A new
// device call rather than a change to redeem_enrollment, so the ingest functions stay as they are.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`CREATE FUNCTION vigil.device_profile(p_token text) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    DECLARE d vigil.devices; v_name text;
    BEGIN
      d := vigil.device_auth(p_token);
      SELECT u.display_name INTO v_name FROM vigil.users u WHERE u.id = d.candidate_id;
      RETURN jsonb_build_object('candidateId', d.candidate_id, 'displayName', v_name);
    END $$`);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.device_profile(text) FROM PUBLIC`);
  await run(`GRANT EXECUTE ON FUNCTION vigil.device_profile(text) TO vigil_device`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`DROP FUNCTION vigil.device_profile(text)`).execute(db);
}
