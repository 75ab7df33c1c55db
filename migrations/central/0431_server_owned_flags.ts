// Central PostgreSQL: the server raises and owns its flags (issue 18 item 3). Two holes closed:
// - flag_chain raised an evidence-chain flag only if no warning of that type and verdict existed,
//   whoever filed it, so a device that first sent its own `evidence_chain` warning ("verdict":
//   "altered", low severity, say) suppressed the server's flag. It now looks at server flags only.
// - A device could file warnings of the types only the server raises. Such a device warning is now
//   refused with a reason in its receipt (VG403 → 'rejected'), whatever path inserts it.
// The server-owned types are `serverWarningTypes` in src-preload/vocabulary.ts; a test checks
// that this list and that one agree.
import { sql, type Kysely } from 'kysely';

const SERVER_OWNED = ['evidence_chain', 'unknown_app_build', 'policy_mismatch'];

const FLAG_CHAIN = (onlyServer: boolean) => `CREATE OR REPLACE FUNCTION vigil.flag_chain(
    p_session uuid, p_verdict text, p_details jsonb) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  BEGIN
    UPDATE vigil.sessions SET evidence_verdict = CASE
      WHEN evidence_verdict = 'altered' OR p_verdict = 'altered' THEN 'altered' ELSE p_verdict END
    WHERE id = p_session;
    INSERT INTO vigil.warnings(id, session_id, type, severity, started_at, details, source)
    SELECT gen_random_uuid(), p_session, 'evidence_chain', 'high', now(),
           p_details || jsonb_build_object('verdict', p_verdict), 'server'
    WHERE NOT EXISTS (SELECT 1 FROM vigil.warnings w WHERE w.session_id = p_session
                      AND w.type = 'evidence_chain' AND w.details->>'verdict' = p_verdict${
                        onlyServer ? `\n                      AND w.source = 'server'` : ''
                      });
  END $$`;

const REFUSE_DEVICE_FLAG = `CREATE FUNCTION vigil.refuse_device_server_flag() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
  BEGIN
    IF NEW.source = 'device' AND NEW.type = ANY (ARRAY[${SERVER_OWNED.map((t) => `'${t}'`).join(', ')}]) THEN
      RAISE EXCEPTION 'warning type % is raised by the server only; a device cannot file it', NEW.type
        USING ERRCODE = 'VG403';
    END IF;
    RETURN NEW;
  END $$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(FLAG_CHAIN(true));
  await run(REFUSE_DEVICE_FLAG);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.refuse_device_server_flag() FROM PUBLIC`);
  await run(`CREATE TRIGGER refuse_device_server_flag BEFORE INSERT OR UPDATE OF type, source
    ON vigil.warnings FOR EACH ROW EXECUTE FUNCTION vigil.refuse_device_server_flag()`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP TRIGGER refuse_device_server_flag ON vigil.warnings`);
  await run(`DROP FUNCTION vigil.refuse_device_server_flag()`);
  await run(FLAG_CHAIN(false));
}
