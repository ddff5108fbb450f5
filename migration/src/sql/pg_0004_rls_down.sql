DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['contacts', 'users_settings', 'ideal_client_profiles', 'contact_field_definitions',
                           'campaigns', 'email_templates', 'call_templates'] LOOP
    EXECUTE format('DROP POLICY IF EXISTS %I ON %I', t || '_workspace_isolation', t);
    EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', t);
  END LOOP;
END
$$;

-- The role is shared by every database of the cluster: revoke what this
-- database granted, never drop it.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :rls_role_literal) THEN
    REVOKE ALL ON contacts, users_settings, ideal_client_profiles, contact_field_definitions,
      campaigns, email_templates, call_templates FROM :rls_role;
    REVOKE ALL ON contact_quality_dashboard, campaign_performance FROM :rls_role;
    REVOKE ALL ON SCHEMA public FROM :rls_role;
    REVOKE ALL ON SCHEMA auth FROM :rls_role;
  END IF;
END
$$;

DO $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'auth' AND p.proname = 'jwt' AND p.pronargs = 0
      AND obj_description(p.oid, 'pg_proc') = 'created by latticeiq'
  ) THEN
    DROP FUNCTION auth.jwt();
  END IF;
END
$$;
