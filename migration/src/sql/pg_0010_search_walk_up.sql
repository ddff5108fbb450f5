-- Broad searches without reading every match (Postgres only).
--
-- A search for a common prefix ("mar" matches 6 % of contacts) read every
-- match twice over in one statement: the exact count, and the page, which
-- sorts all matches by creation time to keep 50. Both read each match's row
-- of `contact_search`: ~6 000 rows at 100 000 contacts, ~60 000 at 1 000 000,
-- spread over every page of the table. Two changes:
--
-- 1. A search version per workspace, `contact_counts.search_version`: a new
--    value of a sequence (never reused, even when a transaction rolls back)
--    whenever a workspace's search documents may have changed — contacts
--    inserted or deleted (the count triggers, which already write that row),
--    or a document's columns updated (the `contact_search` update trigger).
--    A reader that saw version v with a count n of a search's matches knows
--    that any later snapshot showing v has the same matches, so the gateway
--    may remember (workspace, search) -> (v, n) and skip the count while the
--    version holds; the statement itself checks it (see
--    `latticeiq_search_count`).
-- 2. `latticeiq_search_walk`: the page of a broad search in creation order
--    by walking the workspace's contacts in that order (the index on
--    (workspace_id, created_at, id)) and keeping those whose document
--    matches, until the page is full: with 6 % matching, ~850 rows for 50,
--    whatever the size of the workspace. The gateway takes it only for
--    searches it knows to be broad (a remembered count); a narrow search
--    would walk the whole workspace this way.
CREATE SEQUENCE IF NOT EXISTS latticeiq_search_versions;
ALTER TABLE contact_counts ADD COLUMN IF NOT EXISTS search_version bigint;
UPDATE contact_counts SET search_version = nextval('latticeiq_search_versions') WHERE search_version IS NULL;
ALTER TABLE contact_counts ALTER COLUMN search_version SET DEFAULT nextval('latticeiq_search_versions');
ALTER TABLE contact_counts ALTER COLUMN search_version SET NOT NULL;
COMMENT ON COLUMN contact_counts.search_version IS
  'Changes (a new value of latticeiq_search_versions) with every change of the workspace''s search documents.';

CREATE OR REPLACE FUNCTION latticeiq_contacts_inserted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO contact_counts AS c (workspace_id, contacts)
    SELECT workspace_id, count(*) FROM latticeiq_new_rows GROUP BY workspace_id
  ON CONFLICT (workspace_id) DO UPDATE
    SET contacts = c.contacts + excluded.contacts, search_version = nextval('latticeiq_search_versions');
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION latticeiq_contacts_deleted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE contact_counts c SET contacts = c.contacts - d.n, search_version = nextval('latticeiq_search_versions')
    FROM (SELECT workspace_id, count(*) AS n FROM latticeiq_old_rows GROUP BY workspace_id) d
   WHERE c.workspace_id = d.workspace_id;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION latticeiq_contacts_search_updated() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE contact_search
     SET id = NEW.id, created_at = NEW.created_at,
         search_vector = latticeiq_search_vector(NEW.first_name, NEW.last_name, NEW.email, NEW.company)
   WHERE id = OLD.id;
  UPDATE contact_counts SET search_version = nextval('latticeiq_search_versions')
   WHERE workspace_id = NEW.workspace_id;
  RETURN NULL;
END
$$;

-- The page of a search's matches in creation order, read by walking the
-- workspace's contacts in that order from the cursor (`after_at`, `after_id`;
-- nulls for the first page) and checking each one's document. `descending`
-- is the direction of the read (a backward page reads the other way).
-- Owner-run like `latticeiq_search_matches`, with the policy's own
-- workspace test.
CREATE OR REPLACE FUNCTION latticeiq_search_walk(query tsquery, descending boolean, after_at timestamptz,
                                                 after_id uuid, lim integer)
RETURNS TABLE (id uuid, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp SET max_parallel_workers_per_gather = 0
ROWS 50 AS $$
  (SELECT c.id, c.created_at FROM contacts c JOIN contact_search s ON s.id = c.id
    WHERE descending
      AND c.workspace_id = (SELECT (auth.jwt() ->> 'workspace_id')::uuid)
      AND (c.created_at, c.id) < (coalesce(after_at, 'infinity'), coalesce(after_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
      AND ts_match_vq(s.search_vector, query)
    ORDER BY c.created_at DESC, c.id DESC LIMIT lim)
  UNION ALL
  (SELECT c.id, c.created_at FROM contacts c JOIN contact_search s ON s.id = c.id
    WHERE NOT descending
      AND c.workspace_id = (SELECT (auth.jwt() ->> 'workspace_id')::uuid)
      AND (c.created_at, c.id) > (coalesce(after_at, '-infinity'), coalesce(after_id, '00000000-0000-0000-0000-000000000000'))
      AND ts_match_vq(s.search_vector, query)
    ORDER BY c.created_at, c.id LIMIT lim)
$$;
REVOKE ALL ON FUNCTION latticeiq_search_walk(tsquery, boolean, timestamptz, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION latticeiq_search_walk(tsquery, boolean, timestamptz, uuid, integer) TO :rls_role;
