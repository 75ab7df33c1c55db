CREATE OR REPLACE FUNCTION vigil.audit_verdict()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    DECLARE
      prior jsonb;
      sid uuid;
      actor uuid;
    BEGIN
      SELECT u.id INTO actor FROM vigil.users u WHERE u.pg_role = session_user;
      IF TG_OP = 'DELETE' THEN
        IF TG_TABLE_NAME = 'reviews' THEN
          -- The warning gone too: the review went with it (a warning or session deleted, a purge, an
          -- erasure), and its session is not known any more.
          SELECT w.session_id INTO sid FROM vigil.warnings w WHERE w.id = OLD.warning_id;
          INSERT INTO vigil.audit_log(actor_role, actor_user_id, action, target_table, target_id, details)
          VALUES (session_user, actor, 'delete_review', 'warnings', OLD.warning_id::text,
            pg_catalog.jsonb_build_object('op', 'delete', 'session_id', sid, 'review_id', OLD.id,
              'cascade', NOT FOUND,
              'before', pg_catalog.jsonb_build_object('verdict', OLD.verdict, 'comment', OLD.comment,
                'reviewer_id', OLD.reviewer_id, 'at', OLD.created_at),
              'after', NULL));
        ELSE
          INSERT INTO vigil.audit_log(actor_role, actor_user_id, action, target_table, target_id, details)
          VALUES (session_user, actor, 'delete_decision', 'sessions', OLD.session_id::text,
            pg_catalog.jsonb_build_object('op', 'delete', 'session_id', OLD.session_id, 'decision_id', OLD.id,
              'cascade', NOT EXISTS (SELECT FROM vigil.sessions s WHERE s.id = OLD.session_id),
              'before', pg_catalog.jsonb_build_object('decision', OLD.decision, 'note', OLD.reason,
                'decided_by', OLD.decided_by, 'at', OLD.created_at),
              'after', NULL));
        END IF;
        RETURN OLD;
      END IF;
      IF TG_TABLE_NAME = 'reviews' THEN
        IF TG_OP = 'UPDATE' THEN
          prior := pg_catalog.jsonb_build_object('verdict', OLD.verdict, 'comment', OLD.comment, 'at', OLD.created_at);
        ELSE
          SELECT pg_catalog.jsonb_build_object('verdict', r.verdict, 'comment', r.comment, 'at', r.created_at)
            INTO prior FROM vigil.reviews r
            WHERE r.warning_id = NEW.warning_id AND r.reviewer_id IS NOT DISTINCT FROM NEW.reviewer_id
              AND r.id <> NEW.id
            ORDER BY r.created_at DESC LIMIT 1;
        END IF;
        SELECT w.session_id INTO sid FROM vigil.warnings w WHERE w.id = NEW.warning_id;
        INSERT INTO vigil.audit_log(actor_role, actor_user_id, action, target_table, target_id, details)
        VALUES (session_user, coalesce(actor, NEW.reviewer_id), 'review_warning', 'warnings', NEW.warning_id::text,
          pg_catalog.jsonb_build_object('op', pg_catalog.lower(TG_OP), 'session_id', sid, 'review_id', NEW.id,
            'before', prior,
            'after', pg_catalog.jsonb_build_object('verdict', NEW.verdict, 'comment', NEW.comment),
            'row', pg_catalog.to_jsonb(NEW)));
      ELSE
        IF TG_OP = 'UPDATE' THEN
          prior := pg_catalog.jsonb_build_object('decision', OLD.decision, 'note', OLD.reason, 'at', OLD.created_at);
        ELSE
          SELECT pg_catalog.jsonb_build_object('decision', d.decision, 'note', d.reason, 'at', d.created_at)
            INTO prior FROM vigil.session_decisions d
            WHERE d.session_id = NEW.session_id AND d.id <> NEW.id
            ORDER BY d.created_at DESC LIMIT 1;
        END IF;
        INSERT INTO vigil.audit_log(actor_role, actor_user_id, action, target_table, target_id, details)
        VALUES (session_user, coalesce(actor, NEW.decided_by), 'decide_session', 'sessions', NEW.session_id::text,
          pg_catalog.jsonb_build_object('op', pg_catalog.lower(TG_OP), 'session_id', NEW.session_id,
            'decision_id', NEW.id, 'before', prior,
            'after', pg_catalog.jsonb_build_object('decision', NEW.decision, 'note', NEW.reason),
            'row', pg_catalog.to_jsonb(NEW)));
      END IF;
      RETURN NEW;
    END $function$
