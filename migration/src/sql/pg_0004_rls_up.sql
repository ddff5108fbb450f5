-- Postgres: the second isolation layer of SPEC §4. Every request runs as
-- :rls_role (neither owner nor superuser, no BYPASSRLS) with its JWT claims in
-- request.jwt.claims; the policies compare workspace_id with the claim.
-- :rls_role is substituted with the quoted DB_RLS_ROLE by the migration.

CREATE SCHEMA IF NOT EXISTS auth;

-- Supabase ships auth.jwt(); create ours only when it is absent, and mark it
-- so that `down` drops only what we created.
DO $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'auth' AND p.proname = 'jwt' AND p.pronargs = 0
  ) THEN
    CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $f$
      SELECT coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb
    $f$;
    COMMENT ON FUNCTION auth.jwt() IS 'created by latticeiq';
  END IF;
END
$$;

-- Roles are cluster-wide and parallel test runs migrate many databases at
-- once: tolerate a concurrent creator.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :rls_role_literal) THEN
    BEGIN
      CREATE ROLE :rls_role NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
END
$$;

-- A non-superuser owner needs membership to SET ROLE to it.
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT %I TO %I', :rls_role_literal, current_user);
  END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO :rls_role;
GRANT USAGE ON SCHEMA auth TO :rls_role;
GRANT EXECUTE ON FUNCTION auth.jwt() TO :rls_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON
  contacts, users_settings, ideal_client_profiles, contact_field_definitions,
  campaigns, email_templates, call_templates
TO :rls_role;
GRANT SELECT ON contact_quality_dashboard, campaign_performance TO :rls_role;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['contacts', 'users_settings', 'ideal_client_profiles', 'contact_field_definitions',
                           'campaigns', 'email_templates', 'call_templates'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('DROP POLICY IF EXISTS %I ON %I', t || '_workspace_isolation', t);
    -- (select …) makes the planner read the claim once per statement, not per row.
    EXECUTE format(
      'CREATE POLICY %I ON %I FOR ALL '
      'USING (workspace_id = (SELECT (auth.jwt() ->> ''workspace_id'')::uuid)) '
      'WITH CHECK (workspace_id = (SELECT (auth.jwt() ->> ''workspace_id'')::uuid))',
      t || '_workspace_isolation', t);
  END LOOP;
END
$$;
