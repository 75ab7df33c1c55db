// Central PostgreSQL: a session's risk score is filed only with the factors that explain it.
// `risk_factors` holds the device's explanation ({score, factors[{warningId, type, startedAt,
// weight, durationS, confidence, durationFactor, points}], chainFactor, formula}); the CHECK makes a
// score without a factor that adds points impossible. The explanation travels in the evidence
// chain (the session_finished event's `risk`), so a trigger files the score from the verified
// chain event whenever a device sets the score: a bare score (a device from before this version)
// is not filed. Scores already stored had no explanation anywhere and are cleared: the warnings
// they came from stay, and a proctor sees "not scored" instead of an unexplained number.
// ingest_item is unchanged; the trigger keeps this independent of how the update arrives.
import { sql, type Kysely } from 'kysely';

const FROM_CHAIN = `CREATE FUNCTION vigil.session_risk_from_chain() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
  DECLARE v_risk jsonb;
  BEGIN
    -- Factors written with the score (owner tools) are judged by the CHECK as they are.
    IF NEW.risk_factors IS DISTINCT FROM OLD.risk_factors THEN RETURN NEW; END IF;
    SELECT e.payload->'risk' INTO v_risk FROM vigil.events e
    WHERE e.session_id = NEW.id AND e.kind = 'session_finished' AND e.hash_valid
      AND jsonb_typeof(e.payload->'risk') = 'object'
    ORDER BY e.seq DESC LIMIT 1;
    IF v_risk IS NULL THEN
      NEW.risk_score := OLD.risk_score;
    ELSE
      NEW.risk_factors := v_risk;
      NEW.risk_score := (v_risk->>'score')::numeric;
    END IF;
    RETURN NEW;
  END $$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`ALTER TABLE vigil.sessions ADD COLUMN risk_factors jsonb`);
  await run(`UPDATE vigil.sessions SET risk_score = NULL WHERE risk_score IS NOT NULL`);
  // Points add up to the score on the device (checked again where it is read); here the row's
  // score must be the explanation's, and a score above 0 must have a factor with points.
  await run(`ALTER TABLE vigil.sessions ADD CONSTRAINT sessions_risk_explained CHECK (
    (risk_score IS NULL AND risk_factors IS NULL) OR (
      jsonb_typeof(risk_factors->'factors') = 'array'
      AND risk_score = (risk_factors->>'score')::numeric
      AND (risk_score = 0 OR jsonb_path_exists(risk_factors, '$.factors[*] ? (@.points > 0)'))))`);
  await run(FROM_CHAIN);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.session_risk_from_chain() FROM PUBLIC`);
  await run(`CREATE TRIGGER sessions_risk_from_chain BEFORE UPDATE OF risk_score ON vigil.sessions
    FOR EACH ROW WHEN (NEW.risk_score IS DISTINCT FROM OLD.risk_score)
    EXECUTE FUNCTION vigil.session_risk_from_chain()`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP TRIGGER sessions_risk_from_chain ON vigil.sessions`);
  await run(`DROP FUNCTION vigil.session_risk_from_chain()`);
  await run(`ALTER TABLE vigil.sessions DROP CONSTRAINT sessions_risk_explained`);
  // The scores cleared by up() are not restored: they were never explained.
  await run(`ALTER TABLE vigil.sessions DROP COLUMN risk_factors`);
}
