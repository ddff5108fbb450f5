DO $$
DECLARE
  t text;
  e text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users_settings', 'contact_field_definitions', 'ideal_client_profiles',
                           'email_templates', 'call_templates'] LOOP
    FOREACH e IN ARRAY ARRAY['insert', 'update', 'delete', 'truncate'] LOOP
      EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_context_' || e, t);
    END LOOP;
  END LOOP;
END
$$;
DROP FUNCTION IF EXISTS latticeiq_context_changed();
DROP FUNCTION IF EXISTS latticeiq_context_truncated();
DROP TABLE IF EXISTS workspace_context_versions;
DROP SEQUENCE IF EXISTS latticeiq_context_version;
