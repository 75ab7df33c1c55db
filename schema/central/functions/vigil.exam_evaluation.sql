CREATE OR REPLACE FUNCTION vigil.exam_evaluation(p_session uuid)
 RETURNS text
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  SELECT CASE WHEN e.policy->>'evaluation' = 'device' AND e.policy->'practice' = 'true'::jsonb
              THEN 'device' ELSE 'server' END
  FROM vigil.sessions s JOIN vigil.exams e ON e.id = s.exam_id WHERE s.id = p_session $function$
