CREATE OR REPLACE FUNCTION vigil.request_transcription()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  BEGIN
    IF TG_TABLE_NAME = 'blobs' THEN
      IF NOT EXISTS (SELECT 1 FROM vigil.questions q
                     WHERE q.session_id = NEW.session_id AND q.answer_audio_sha256 = NEW.sha256) THEN
        RETURN NULL;
      END IF;
    ELSE
      IF TG_OP = 'UPDATE' AND NEW.answer_audio_sha256 IS NOT DISTINCT FROM OLD.answer_audio_sha256 THEN
        RETURN NULL;
      END IF;
      IF NOT EXISTS (SELECT 1 FROM vigil.blobs b
                     WHERE b.session_id = NEW.session_id AND b.kind = 'audio'
                       AND b.sha256 = NEW.answer_audio_sha256 AND b.status = 'complete') THEN
        RETURN NULL;
      END IF;
    END IF;
    INSERT INTO vigil.worker_requests(session_id, kind) VALUES (NEW.session_id, 'transcribe')
    ON CONFLICT DO NOTHING;
    PERFORM pg_notify('vigil_worker', NEW.session_id::text);
    RETURN NULL;
  END $function$
