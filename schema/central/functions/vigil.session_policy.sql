CREATE OR REPLACE FUNCTION vigil.session_policy(p_session uuid)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  SELECT CASE WHEN a.profile IS NULL THEN e.policy
              ELSE e.policy || jsonb_build_object('accommodation', a.profile) END
  FROM vigil.sessions s JOIN vigil.exams e ON e.id = s.exam_id
  LEFT JOIN vigil.devices d ON d.id = s.device_id
  LEFT JOIN vigil.enrollments en ON en.id = d.enrollment_id
  LEFT JOIN LATERAL (
    SELECT p AS profile FROM jsonb_array_elements(e.accommodation_profiles) p
    WHERE en.accommodation IS NOT NULL AND p->>'name' = en.accommodation LIMIT 1
  ) a ON true
  WHERE s.id = p_session $function$
