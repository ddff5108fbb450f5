-- A version stamp per workspace for what every request may read whole: its
-- settings, custom field definitions, ICPs and templates (the "workspace
-- context"). A gateway keeps the parsed context of a workspace in memory
-- with its stamp and asks the database, in the request's own statement,
-- for the full context only when the stamp differs. Postgres only.
--
-- Stamps come from one sequence, so a value is never reused: not after a
-- rollback (sequences are not transactional), a TRUNCATE or a deleted row.
-- Statement-level triggers set a fresh stamp for every workspace a statement
-- touched, in the same transaction as the change, so a reader's snapshot
-- sees the stamp and the rows of the same commits.
CREATE SEQUENCE IF NOT EXISTS latticeiq_context_version;

CREATE TABLE IF NOT EXISTS workspace_context_versions (
  workspace_id uuid PRIMARY KEY,
  version bigint NOT NULL
);
COMMENT ON TABLE workspace_context_versions IS
  'A never-reused stamp per workspace, renewed by triggers on every change to its settings, field definitions, ICPs or templates.';

CREATE OR REPLACE FUNCTION latticeiq_context_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    -- both sides, should an owner's UPDATE move a row between workspaces
    INSERT INTO workspace_context_versions AS v (workspace_id, version)
      SELECT w, nextval('latticeiq_context_version')
        FROM (SELECT workspace_id AS w FROM latticeiq_changed_rows
              UNION SELECT workspace_id FROM latticeiq_new_rows) d
    ON CONFLICT (workspace_id) DO UPDATE SET version = excluded.version;
  ELSE
    INSERT INTO workspace_context_versions AS v (workspace_id, version)
      SELECT w, nextval('latticeiq_context_version')
        FROM (SELECT DISTINCT workspace_id AS w FROM latticeiq_changed_rows) d
    ON CONFLICT (workspace_id) DO UPDATE SET version = excluded.version;
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION latticeiq_context_truncated() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE workspace_context_versions SET version = nextval('latticeiq_context_version');
  RETURN NULL;
END
$$;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users_settings', 'contact_field_definitions', 'ideal_client_profiles',
                           'email_templates', 'call_templates'] LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_context_insert', t);
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS latticeiq_changed_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION latticeiq_context_changed()', t || '_context_insert', t);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_context_update', t);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS latticeiq_changed_rows NEW TABLE AS latticeiq_new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION latticeiq_context_changed()', t || '_context_update', t);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_context_delete', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS latticeiq_changed_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION latticeiq_context_changed()', t || '_context_delete', t);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_context_truncate', t);
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION latticeiq_context_truncated()', t || '_context_truncate', t);
    -- Workspaces that exist already (the DDL above holds the table's lock).
    EXECUTE format('INSERT INTO workspace_context_versions (workspace_id, version) '
                   'SELECT DISTINCT workspace_id, 0 FROM %I ON CONFLICT (workspace_id) DO NOTHING', t);
  END LOOP;
END
$$;
-- A fresh stamp for every existing row, whatever an earlier up/down left.
UPDATE workspace_context_versions SET version = nextval('latticeiq_context_version');

-- Enabled, not forced: the owner's triggers write every workspace's row; the
-- request role reads only its own.
ALTER TABLE workspace_context_versions ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS workspace_context_versions_isolation ON workspace_context_versions;
CREATE POLICY workspace_context_versions_isolation ON workspace_context_versions FOR SELECT
  USING (workspace_id = (SELECT (auth.jwt() ->> 'workspace_id')::uuid));
REVOKE ALL ON workspace_context_versions FROM PUBLIC;
GRANT SELECT ON workspace_context_versions TO :rls_role;
REVOKE ALL ON SEQUENCE latticeiq_context_version FROM PUBLIC;
REVOKE ALL ON FUNCTION latticeiq_context_changed(), latticeiq_context_truncated() FROM PUBLIC;
