// Central PostgreSQL: the audit log is append-only, deleting a verdict is audited, and logins are
// made by one definer function (issue 19 items 2 and 5).
//
// audit_log. Nobody holds UPDATE, DELETE or TRUNCATE on it any more (0004 granted all four to
// vigil_admin), and a trigger refuses them to everyone, the table's owner included. The one change
// it lets through is the foreign keys' own ON DELETE SET NULL (actor_user_id, device_id), which
// PostgreSQL runs as a nested statement when a user or device row is deleted (a candidate's erasure):
// only those two columns, only to NULL, and only from inside another trigger (pg_trigger_depth() > 1),
// so a direct UPDATE that nulls them is refused like any other. The retention purge never deletes
// audit rows: its own row (action 'purge') names the receipt, and the rows of purged sessions stay
// (their target_id is text, not a foreign key). The table's owner can still drop the trigger: that
// is what owning a table means in PostgreSQL, and why the owner login is kept for migrations.
// 0430's server_time stamped the actor on UPDATE as well; it now does so on INSERT only, so the
// foreign key's SET NULL does not rename a row's actor to whoever erased the candidate.
//
// Deleting a review or a decision writes an audit row ('delete_review', 'delete_decision') with the
// verdict as it was, whoever deletes it and however (directly, or cascading from a warning, a session
// purged by the worker or a candidate's erasure: `details.cascade` says which).
//
// Logins. `vigil.create_login` is the only path that creates a PostgreSQL login: it takes a
// pre-hashed SCRAM-SHA-256 verifier (never a password), grants exactly one of vigil_admin,
// vigil_proctor, vigil_worker or vigil_device and refuses anything else, sets the group's role
// settings (a device's statement timeout), a connection limit, links a staff
// login to its user and audits the creation. It runs as the migration owner, the only role that needs
// CREATEROLE: admin logins lose CREATEROLE (PostgreSQL 15 lets a CREATEROLE role grant itself or
// anyone any non-superuser role, pg_signal_backend and the migration owner's vigil_owner included).
import { sql, type Kysely } from 'kysely';

const APPEND_ONLY = `CREATE FUNCTION vigil.audit_log_append_only() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
  BEGIN
    -- A foreign key's ON DELETE SET NULL (a user or device deleted): only those columns, only to NULL.
    IF TG_OP = 'UPDATE' AND pg_catalog.pg_trigger_depth() > 1
       AND (NEW.actor_user_id IS NULL OR NEW.actor_user_id = OLD.actor_user_id)
       AND (NEW.device_id IS NULL OR NEW.device_id = OLD.device_id)
       AND pg_catalog.to_jsonb(NEW) - 'actor_user_id' - 'device_id'
           = pg_catalog.to_jsonb(OLD) - 'actor_user_id' - 'device_id' THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP
      USING ERRCODE = 'insufficient_privilege',
            HINT = 'Audit rows are never changed or deleted; add a new row that corrects the record.';
  END $$`;

/**
 * 0430's stamping, with the audit row's actor set on INSERT only: the one UPDATE the append-only
 * trigger lets through (a foreign key nulling actor_user_id / device_id) must not rename the actor
 * to whoever deleted the user.
 */
const SERVER_TIME = `CREATE OR REPLACE FUNCTION vigil.server_time() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE
    v_column text := TG_ARGV[0];
    v_stamp jsonb;
    v_user uuid;
  BEGIN
    IF TG_OP = 'INSERT' OR TG_ARGV[1] = 'on_update' THEN
      v_stamp := jsonb_build_object(v_column, clock_timestamp());
    ELSE
      v_stamp := jsonb_build_object(v_column, to_jsonb(OLD) -> v_column);
    END IF;
    IF TG_TABLE_NAME = 'audit_log' AND TG_OP = 'INSERT' THEN
      SELECT u.id INTO v_user FROM vigil.users u WHERE u.pg_role = session_user;
      v_stamp := v_stamp || jsonb_build_object('actor_role', session_user::text);
      IF v_user IS NOT NULL THEN v_stamp := v_stamp || jsonb_build_object('actor_user_id', v_user); END IF;
    END IF;
    NEW := jsonb_populate_record(NEW, v_stamp);
    RETURN NEW;
  END $$`;

/** 0430's text, for down(). */
const OLD_SERVER_TIME = `CREATE OR REPLACE FUNCTION vigil.server_time() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DECLARE
    v_column text := TG_ARGV[0];
    v_stamp jsonb;
    v_user uuid;
  BEGIN
    IF TG_OP = 'INSERT' OR TG_ARGV[1] = 'on_update' THEN
      v_stamp := jsonb_build_object(v_column, clock_timestamp());
    ELSE
      v_stamp := jsonb_build_object(v_column, to_jsonb(OLD) -> v_column);
    END IF;
    IF TG_TABLE_NAME = 'audit_log' THEN
      SELECT u.id INTO v_user FROM vigil.users u WHERE u.pg_role = session_user;
      v_stamp := v_stamp || jsonb_build_object('actor_role', session_user::text);
      IF v_user IS NOT NULL THEN v_stamp := v_stamp || jsonb_build_object('actor_user_id', v_user); END IF;
    END IF;
    NEW := jsonb_populate_record(NEW, v_stamp);
    RETURN NEW;
  END $$`;

/** 0102's trigger function, plus deletions. */
const AUDIT_VERDICT = `CREATE OR REPLACE FUNCTION vigil.audit_verdict() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
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
    END $$`;

/** 0102's text, for down(). */
const OLD_AUDIT_VERDICT = `CREATE OR REPLACE FUNCTION vigil.audit_verdict() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    DECLARE
      prior jsonb;
      sid uuid;
      actor uuid;
    BEGIN
      SELECT u.id INTO actor FROM vigil.users u WHERE u.pg_role = session_user;
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
    END $$`;

const CREATE_LOGIN = `CREATE FUNCTION vigil.create_login(p_login text, p_group text, p_verifier text,
    p_connection_limit integer DEFAULT NULL, p_statement_timeout_ms integer DEFAULT NULL,
    p_user_id uuid DEFAULT NULL) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
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
    IF p_verifier IS NULL OR p_verifier !~ '^SCRAM-SHA-256\\$[0-9]+:[A-Za-z0-9+/]+={0,2}\\$[A-Za-z0-9+/]+={0,2}:[A-Za-z0-9+/]+={0,2}$' THEN
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
  END $$`;

const CREATE_LOGIN_ARGS = 'text, text, text, integer, integer, uuid';

export async function up(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(
    `REVOKE UPDATE, DELETE, TRUNCATE ON vigil.audit_log FROM PUBLIC, vigil_admin, vigil_proctor, vigil_device`,
  );
  await run(`DO $$ BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'vigil_worker') THEN
      REVOKE UPDATE, DELETE, TRUNCATE ON vigil.audit_log FROM vigil_worker;
    END IF;
  END $$`);
  await run(SERVER_TIME);
  await run(APPEND_ONLY);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.audit_log_append_only() FROM PUBLIC`);
  await run(`CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON vigil.audit_log
    FOR EACH ROW EXECUTE FUNCTION vigil.audit_log_append_only()`);
  await run(`CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON vigil.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION vigil.audit_log_append_only()`);

  await run(AUDIT_VERDICT);
  for (const table of ['reviews', 'session_decisions']) {
    await run(`DROP TRIGGER audit_verdict ON vigil.${table}`);
    await run(`CREATE TRIGGER audit_verdict AFTER INSERT OR UPDATE OR DELETE ON vigil.${table}
      FOR EACH ROW EXECUTE FUNCTION vigil.audit_verdict()`);
  }

  await run(CREATE_LOGIN);
  await run(`REVOKE EXECUTE ON FUNCTION vigil.create_login(${CREATE_LOGIN_ARGS}) FROM PUBLIC`);
  await run(`GRANT EXECUTE ON FUNCTION vigil.create_login(${CREATE_LOGIN_ARGS}) TO vigil_admin`);
  // Admin logins made before this migration had CREATEROLE (AdminService.addStaff): take it back.
  await run(`DO $$ DECLARE r record; BEGIN
    FOR r IN SELECT m.rolname FROM pg_catalog.pg_auth_members am
      JOIN pg_catalog.pg_roles g ON g.oid = am.roleid JOIN pg_catalog.pg_roles m ON m.oid = am.member
      WHERE g.rolname = 'vigil_admin' AND m.rolcreaterole AND NOT m.rolsuper AND m.rolname <> current_user
    LOOP
      BEGIN
        EXECUTE format('ALTER ROLE %I NOCREATEROLE', r.rolname);
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE WARNING 'admin login % keeps CREATEROLE: run ALTER ROLE % NOCREATEROLE as a superuser', r.rolname, r.rolname;
      END;
    END LOOP;
  END $$`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`DROP FUNCTION vigil.create_login(${CREATE_LOGIN_ARGS})`);
  for (const table of ['reviews', 'session_decisions']) {
    await run(`DROP TRIGGER audit_verdict ON vigil.${table}`);
    await run(`CREATE TRIGGER audit_verdict AFTER INSERT OR UPDATE ON vigil.${table}
      FOR EACH ROW EXECUTE FUNCTION vigil.audit_verdict()`);
  }
  await run(OLD_AUDIT_VERDICT);
  await run(`DROP TRIGGER append_only_truncate ON vigil.audit_log`);
  await run(`DROP TRIGGER append_only ON vigil.audit_log`);
  await run(`DROP FUNCTION vigil.audit_log_append_only()`);
  await run(OLD_SERVER_TIME);
  await run(`GRANT UPDATE, DELETE ON vigil.audit_log TO vigil_admin`);
}
