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
