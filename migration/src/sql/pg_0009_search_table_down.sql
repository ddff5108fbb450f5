-- Back to the document as a generated column of `contacts` (pg_0002, pg_0008).
ALTER TABLE contacts ADD COLUMN IF NOT EXISTS search_vector tsvector
  GENERATED ALWAYS AS (latticeiq_search_vector(first_name, last_name, email, company)) STORED;
CREATE INDEX IF NOT EXISTS idx_contacts_search ON contacts USING gin (search_vector);

CREATE OR REPLACE FUNCTION latticeiq_search_ids(query tsquery) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 1000 AS $$
  SELECT id FROM contacts
   WHERE search_vector @@ query
     AND workspace_id = (SELECT (auth.jwt() ->> 'workspace_id')::uuid)
$$;
REVOKE ALL ON FUNCTION latticeiq_search_ids(tsquery) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION latticeiq_search_ids(tsquery) TO :rls_role;

CREATE OR REPLACE FUNCTION latticeiq_search_matches(query tsquery)
RETURNS TABLE (id uuid, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 1000 AS $$
  SELECT c.id, c.created_at FROM contacts c
   WHERE c.search_vector @@ query
     AND c.workspace_id = (SELECT (auth.jwt() ->> 'workspace_id')::uuid)
$$;
REVOKE ALL ON FUNCTION latticeiq_search_matches(tsquery) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION latticeiq_search_matches(tsquery) TO :rls_role;

DROP TRIGGER IF EXISTS contacts_search_insert ON contacts;
DROP TRIGGER IF EXISTS contacts_search_update ON contacts;
DROP TRIGGER IF EXISTS contacts_search_delete ON contacts;
DROP TRIGGER IF EXISTS contacts_search_truncate ON contacts;
DROP FUNCTION IF EXISTS latticeiq_contacts_search_inserted();
DROP FUNCTION IF EXISTS latticeiq_contacts_search_updated();
DROP FUNCTION IF EXISTS latticeiq_contacts_search_deleted();
DROP FUNCTION IF EXISTS latticeiq_contacts_search_truncated();
DROP TABLE IF EXISTS contact_search;
