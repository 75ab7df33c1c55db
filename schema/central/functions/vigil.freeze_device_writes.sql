CREATE OR REPLACE FUNCTION vigil.freeze_device_writes()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE
    s vigil.sessions;
    v_end timestamptz;
    v_problem text;
  BEGIN
    IF NOT pg_has_role(session_user, 'vigil_device', 'MEMBER') THEN RETURN NEW; END IF;
    IF TG_TABLE_NAME = 'sessions' THEN
      IF TG_OP = 'INSERT' THEN RETURN NEW; END IF;
      s := OLD;
    ELSE
      SELECT * INTO s FROM vigil.sessions WHERE id = NEW.session_id;
      IF NOT FOUND THEN RETURN NEW; END IF;
    END IF;
    IF EXISTS (SELECT 1 FROM vigil.session_decisions d WHERE d.session_id = s.id) THEN
      RAISE EXCEPTION 'session % has a proctor decision; the device can no longer change it (%)',
        s.id, TG_TABLE_NAME USING ERRCODE = 'check_violation';
    END IF;
    IF s.status = 'in_progress' OR TG_TABLE_NAME = 'events' THEN RETURN NEW; END IF;
    v_end := coalesce(s.ended_at, now()) + interval '5 seconds';
    CASE TG_TABLE_NAME
    WHEN 'sessions' THEN
      IF NEW.status IS DISTINCT FROM OLD.status OR NEW.ended_at IS DISTINCT FROM OLD.ended_at THEN
        v_problem := 'its status and end are fixed';
      ELSIF NEW.risk_score IS DISTINCT FROM OLD.risk_score OR NEW.risk_factors IS DISTINCT FROM OLD.risk_factors THEN
        v_problem := 'its risk is fixed';
      ELSIF NEW.id_verification_status IS DISTINCT FROM OLD.id_verification_status
            OR NEW.id_details IS DISTINCT FROM OLD.id_details
            OR NEW.id_image_sha256 IS DISTINCT FROM OLD.id_image_sha256 THEN
        v_problem := 'its ID result is fixed';
      ELSIF (OLD.video_sha256 IS NOT NULL AND NEW.video_sha256 IS DISTINCT FROM OLD.video_sha256)
            OR (OLD.video_started_at IS NOT NULL AND NEW.video_started_at IS DISTINCT FROM OLD.video_started_at)
            OR (OLD.poster_sha256 IS NOT NULL AND NEW.poster_sha256 IS DISTINCT FROM OLD.poster_sha256) THEN
        v_problem := 'its recording links are fixed once filed';
      END IF;
    WHEN 'questions' THEN
      IF TG_OP = 'INSERT' AND (NEW.asked_at > v_end OR NEW.answered_at > v_end) THEN
        v_problem := 'a question asked or answered after its end';
      ELSIF TG_OP = 'UPDATE' AND (
            NEW.text IS DISTINCT FROM OLD.text OR NEW.ordinal IS DISTINCT FROM OLD.ordinal
            OR NEW.asked_at IS DISTINCT FROM OLD.asked_at
            OR (OLD.answered_at IS NOT NULL AND NEW.answered_at IS DISTINCT FROM OLD.answered_at)
            OR NEW.answered_at > v_end
            OR (OLD.answer_audio_sha256 IS NOT NULL AND NEW.answer_audio_sha256 IS DISTINCT FROM OLD.answer_audio_sha256)
            OR (OLD.answer_text IS NOT NULL AND NEW.answer_text IS DISTINCT FROM OLD.answer_text)
            OR (OLD.answer_text IS NULL AND NEW.answer_text IS NOT NULL AND OLD.answer_audio_sha256 IS NULL)) THEN
        v_problem := 'its answers are fixed';
      END IF;
    WHEN 'messages' THEN
      IF NEW.created_at > v_end THEN v_problem := 'a message written after its end'; END IF;
    WHEN 'warnings' THEN
      IF NEW.source = 'device' AND (NEW.started_at > v_end OR NEW.ended_at > v_end) THEN
        v_problem := 'a warning after its end';
      END IF;
    WHEN 'evaluations' THEN
      IF TG_OP = 'UPDATE' AND (
            NEW.professionalism IS DISTINCT FROM OLD.professionalism
            OR NEW.subject_knowledge IS DISTINCT FROM OLD.subject_knowledge
            OR NEW.clarity IS DISTINCT FROM OLD.clarity OR NEW.overall IS DISTINCT FROM OLD.overall
            OR NEW.traits IS DISTINCT FROM OLD.traits OR NEW.suggestions IS DISTINCT FROM OLD.suggestions
            OR NEW.feedback IS DISTINCT FROM OLD.feedback
            OR NEW.question_responses IS DISTINCT FROM OLD.question_responses
            OR NEW.evaluator IS DISTINCT FROM OLD.evaluator
            OR (OLD.pdf_sha256 IS NOT NULL AND NEW.pdf_sha256 IS DISTINCT FROM OLD.pdf_sha256)) THEN
        v_problem := 'its evaluation is fixed once filed';
      END IF;
    ELSE
      NULL;
    END CASE;
    IF v_problem IS NOT NULL THEN
      RAISE EXCEPTION 'session % is finished; %', s.id, v_problem USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END $function$
