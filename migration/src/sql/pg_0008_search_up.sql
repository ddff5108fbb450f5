-- The search document of a contact, as an expression the planner inlines.
--
-- `search_vector` is a stored generated column, and Postgres recomputes it on
-- every UPDATE of a contact, whatever the UPDATE sets, because `contacts` has
-- BEFORE UPDATE row triggers (`updated_at`). Written as calls to SQL functions
-- that could not be inlined (`concat_ws` is only STABLE, `latticeiq_words` is
-- STRICT around a non-strict body), each recomputation ran the SQL-function
-- executor twice: about 15 % of the time of a campaign build's UPDATE. This
-- body uses only immutable operators, so the generated expression becomes
-- plain expression evaluation. Same words as before: the pieces are joined by
-- spaces (NULL as empty), lower-cased with the ICU root collation and split at
-- every run of characters that are not letters or digits (see
-- `latticeiq_words`); the stored values do not change, and a test compares
-- them with `latticeiq_words`.
CREATE OR REPLACE FUNCTION latticeiq_search_vector(first_name text, last_name text, email text, company text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_to_tsvector(coalesce(array_remove(regexp_split_to_array(
    lower((coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '') || ' '
           || coalesce(company, '')) COLLATE "und-x-icu"),
    '[^[:alnum:]]+'), ''), '{}'::text[]))
$$;

-- A search's matches with their creation time: a page of matches in the
-- default order (`CREATED_AT`, the search box's) is then sorted from the
-- matches alone, and only its own rows are read from `contacts` (until now
-- every match was looked up by primary key to be sorted). The same owner-run
-- id function as `latticeiq_search_ids` (pg_0006_performance_up.sql, which
-- explains why): the workspace test is the policy's, and the request's own
-- statement still reads the contacts under RLS.
CREATE OR REPLACE FUNCTION latticeiq_search_matches(query tsquery)
RETURNS TABLE (id uuid, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 1000 AS $$
  SELECT c.id, c.created_at FROM contacts c
   WHERE c.search_vector @@ query
     AND c.workspace_id = (SELECT (auth.jwt() ->> 'workspace_id')::uuid)
$$;
REVOKE ALL ON FUNCTION latticeiq_search_matches(tsquery) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION latticeiq_search_matches(tsquery) TO :rls_role;
