// Central PostgreSQL: evidence anchored while online (issue 18 item 5). The device's hash chain proves
// its events were not changed after they were hashed, but not when they were written: a device
// offline for the whole exam (or one that holds its events back) can rebuild its chain at leisure.
// While connected, the device now reports the head of each open session's chain at least every
// 30 s (`vigil.anchor_chain`); the server stores each head with its own receive time. A head that
// contradicts the stored chain (an event at that position with another hash, the same position
// anchored with two hashes, or a head that goes backwards), or an event that later arrives at an
// anchored position with another hash, flags the chain `altered`: it was rewritten behind a head
// the server had already seen. The console reads the anchors' receive times to tell "continuous
// and anchored" from "written offline" (src-main/review/chain-anchoring.ts).
import { sql, type Kysely } from 'kysely';

const ANCHOR = `CREATE FUNCTION vigil.anchor_chain(p_token text, p_heads jsonb) RETURNS jsonb
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE
    d vigil.devices := vigil.device_auth(p_token);
    h jsonb;
    s vigil.sessions;
    v_seq integer;
    v_hash bytea;
    v_stored bytea;
    v_count integer := 0;
  BEGIN
    IF p_heads IS NULL OR jsonb_typeof(p_heads) <> 'array' OR jsonb_array_length(p_heads) > 200 THEN
      RAISE EXCEPTION 'heads must be an array of at most 200' USING ERRCODE = 'VG400';
    END IF;
    FOR h IN SELECT value FROM jsonb_array_elements(p_heads) LOOP
      IF jsonb_typeof(h->'seq') IS DISTINCT FROM 'number' OR coalesce(h->>'hash', '') !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'a head needs a sessionId, a seq and a 32-byte hex hash' USING ERRCODE = 'VG400';
      END IF;
      v_seq := (h->>'seq')::integer;
      v_hash := decode(h->>'hash', 'hex');
      IF v_seq < 0 THEN
        RAISE EXCEPTION 'a head needs a sessionId, a seq and a 32-byte hex hash' USING ERRCODE = 'VG400';
      END IF;
      -- A session the server does not hold yet (its start is still queued) is skipped, not an error.
      BEGIN
        s := vigil.device_session(d, (h->>'sessionId')::uuid);
      EXCEPTION WHEN SQLSTATE 'VG403' OR invalid_text_representation THEN
        CONTINUE;
      END;
      IF EXISTS (SELECT 1 FROM vigil.chain_anchors a WHERE a.session_id = s.id
                 AND ((a.seq = v_seq AND a.hash <> v_hash) OR a.seq > v_seq)) THEN
        PERFORM vigil.flag_chain(s.id, 'altered', jsonb_build_object('seq', v_seq,
          'problem', 'the chain was rewritten behind a head the server had seen'));
      END IF;
      SELECT e.hash INTO v_stored FROM vigil.events e WHERE e.session_id = s.id AND e.seq = v_seq;
      IF v_stored IS NOT NULL AND v_stored <> v_hash THEN
        PERFORM vigil.flag_chain(s.id, 'altered', jsonb_build_object('seq', v_seq,
          'problem', 'the reported head does not match the stored chain'));
      END IF;
      INSERT INTO vigil.chain_anchors(session_id, seq, hash) VALUES (s.id, v_seq, v_hash);
      v_count := v_count + 1;
    END LOOP;
    RETURN jsonb_build_object('anchored', v_count, 'at', clock_timestamp());
  END $$`;

const CHECK_EVENT = `CREATE FUNCTION vigil.check_anchored_event() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  BEGIN
    IF EXISTS (SELECT 1 FROM vigil.chain_anchors a
               WHERE a.session_id = NEW.session_id AND a.seq = NEW.seq AND a.hash <> NEW.hash) THEN
      PERFORM vigil.flag_chain(NEW.session_id, 'altered', jsonb_build_object('seq', NEW.seq,
        'problem', 'the chain was rewritten behind a head the server had seen'));
    END IF;
    RETURN NULL;
  END $$`;

const VISIBLE = `session_id IN (SELECT vigil.visible_session_ids(current_user))`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`CREATE TABLE vigil.chain_anchors (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES vigil.sessions(id) ON DELETE CASCADE,
    seq integer NOT NULL CHECK (seq >= 0),
    hash bytea NOT NULL CHECK (length(hash) = 32),
    received_at timestamptz NOT NULL DEFAULT clock_timestamp()
  )`);
  await run(`CREATE INDEX chain_anchors_session ON vigil.chain_anchors (session_id, seq)`);
  await run(`ALTER TABLE vigil.chain_anchors ENABLE ROW LEVEL SECURITY`);
  await run(`ALTER TABLE vigil.chain_anchors FORCE ROW LEVEL SECURITY`);
  await run(`CREATE POLICY privileged ON vigil.chain_anchors FOR ALL TO vigil_owner, vigil_admin
    USING (true) WITH CHECK (true)`);
  await run(
    `CREATE POLICY proctor_read ON vigil.chain_anchors FOR SELECT TO vigil_proctor USING (${VISIBLE})`,
  );
  await run(`GRANT SELECT ON vigil.chain_anchors TO vigil_admin, vigil_proctor`);
  await run(ANCHOR);
  await run(CHECK_EVENT);
  for (const fn of ['anchor_chain(text, jsonb)', 'check_anchored_event()'])
    await run(`REVOKE EXECUTE ON FUNCTION vigil.${fn} FROM PUBLIC`);
  await run(`GRANT EXECUTE ON FUNCTION vigil.anchor_chain(text, jsonb) TO vigil_device`);
  await run(`CREATE TRIGGER check_anchored_event AFTER INSERT ON vigil.events
    FOR EACH ROW EXECUTE FUNCTION vigil.check_anchored_event()`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP TRIGGER check_anchored_event ON vigil.events`);
  await run(`DROP FUNCTION vigil.check_anchored_event()`);
  await run(`DROP FUNCTION vigil.anchor_chain(text, jsonb)`);
  await run(`DROP TABLE vigil.chain_anchors`);
}
