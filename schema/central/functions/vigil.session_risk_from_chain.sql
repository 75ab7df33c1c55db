CREATE OR REPLACE FUNCTION vigil.session_risk_from_chain()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE v_risk jsonb;
  BEGIN
    IF pg_has_role(session_user, 'vigil_device', 'MEMBER') AND vigil.exam_evaluation(NEW.id) = 'server' THEN
      INSERT INTO vigil.device_refusals(session_id, device_id, idempotency_key, kind, reason)
      SELECT NEW.id, NEW.device_id, 'risk:' || NEW.id, 'risk',
             'session ' || NEW.id || ' is evaluated by the server; its device may not write a risk score'
      WHERE NOT EXISTS (SELECT 1 FROM vigil.device_refusals r WHERE r.session_id = NEW.id AND r.kind = 'risk');
      NEW.risk_score := OLD.risk_score;
      NEW.risk_factors := OLD.risk_factors;
      RETURN NEW;
    END IF;
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
  END $function$
