CREATE OR REPLACE FUNCTION vigil.check_anchored_event()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  BEGIN
    IF EXISTS (SELECT 1 FROM vigil.chain_anchors a
               WHERE a.session_id = NEW.session_id AND a.seq = NEW.seq AND a.hash <> NEW.hash) THEN
      PERFORM vigil.flag_chain(NEW.session_id, 'altered', jsonb_build_object('seq', NEW.seq,
        'problem', 'the chain was rewritten behind a head the server had seen'));
    END IF;
    RETURN NULL;
  END $function$
