CREATE OR REPLACE FUNCTION vigil.create_login(p_login text, p_group text, p_verifier text, p_connection_limit integer DEFAULT NULL::integer, p_statement_timeout_ms integer DEFAULT NULL::integer, p_user_id uuid DEFAULT NULL::uuid)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  DECLARE
    v_limit integer := coalesce(p_connection_limit, -1);
  BEGIN
    IF p_group IS NULL OR p_group NOT IN ('vigil_admin', 'vigil_proctor', 'vigil_worker', 'vigil_device') THEN
      RAISE EXCEPTION 'create_login grants only vigil_admin, vigil_proctor, vigil_worker or vigil_device, not %',
        coalesce(p_group, 'NULL') USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_login IS NULL OR p_login !~ '^[a-z][a-z0-9_]{2,62}$' OR p_login ~ '^(pg_|vigil_(owner|admin|proctor|worker|device)$)' THEN
      RAISE EXCEPTION 'login names are 3-63 lower-case letters, digits or underscores, starting with a letter (and not pg_… or a Vigil group): %',
        coalesce(p_login, 'NULL') USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Only a verifier: PostgreSQL would hash a plain password itself, but then it was in the SQL text.
    IF p_verifier IS NULL OR p_verifier !~ '^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}:[A-Za-z0-9+/]+={0,2}$' THEN
      RAISE EXCEPTION 'create_login takes a SCRAM-SHA-256 verifier, never a password'
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'Compute it with scramVerifier (src-main/central/scram.ts).';
    END IF;
    IF p_group = 'vigil_device' AND v_limit < 1 THEN
      RAISE EXCEPTION 'a device login needs a connection limit of at least 1' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF v_limit < -1 OR v_limit > 10000 THEN
      RAISE EXCEPTION 'connection limit % is out of range (-1 for none, up to 10000)', v_limit
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_user_id IS NOT NULL AND p_group NOT IN ('vigil_admin', 'vigil_proctor') THEN
      RAISE EXCEPTION 'only a staff login (vigil_admin, vigil_proctor) belongs to a user' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = p_login) THEN
      RAISE EXCEPTION 'there is already a login or role named %', p_login USING ERRCODE = 'duplicate_object';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS '
                   'CONNECTION LIMIT %s PASSWORD %L IN ROLE %I', p_login, v_limit, p_verifier, p_group);
    IF p_group = 'vigil_device' THEN
      -- Role settings are not inherited from a group role, so the login carries the timeout.
      IF p_statement_timeout_ms IS NULL OR p_statement_timeout_ms NOT BETWEEN 100 AND 600000 THEN
        RAISE EXCEPTION 'the statement timeout must be between 100 ms and 10 minutes' USING ERRCODE = 'invalid_parameter_value';
      END IF;
      EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', p_login, p_statement_timeout_ms || 'ms');
    END IF;
    -- A worker login gets its role = vigil_worker setting from the caller (createWorkerLogin):
    -- PostgreSQL refuses a role setting inside a definer function.
    IF p_user_id IS NOT NULL THEN
      UPDATE vigil.users SET pg_role = p_login
      WHERE id = p_user_id AND role = CASE p_group WHEN 'vigil_admin' THEN 'admin' ELSE 'proctor' END;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'user % is not a % (the login would grant more than the user is)', p_user_id,
          CASE p_group WHEN 'vigil_admin' THEN 'admin' ELSE 'proctor' END USING ERRCODE = 'invalid_parameter_value';
      END IF;
    END IF;
    INSERT INTO vigil.audit_log(actor_role, actor_user_id, action, target_table, target_id, details)
    VALUES (session_user, (SELECT u.id FROM vigil.users u WHERE u.pg_role = session_user), 'create_login',
      'roles', p_login, pg_catalog.jsonb_build_object('group', p_group, 'connection_limit', v_limit,
        'statement_timeout_ms', p_statement_timeout_ms, 'user_id', p_user_id));
  END $function$
