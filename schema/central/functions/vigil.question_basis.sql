CREATE OR REPLACE FUNCTION vigil.question_basis(e vigil.exams)
 RETURNS jsonb
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    SELECT jsonb_build_object('type', e.type, 'difficulty', e.difficulty,
      'count', CASE WHEN jsonb_typeof(e.policy->'generatedQuestions') = 'number'
                     AND (e.policy->>'generatedQuestions')::numeric > 0
                     AND (e.policy->>'generatedQuestions')::numeric
                         = trunc((e.policy->>'generatedQuestions')::numeric)
                    THEN least((e.policy->>'generatedQuestions')::numeric, 20)::int ELSE 0 END,
      'resumeId', e.resume_id, 'jobListingId', e.job_listing_id)
  $function$
