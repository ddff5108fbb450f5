DROP FUNCTION IF EXISTS latticeiq_search_matches(tsquery);

CREATE OR REPLACE FUNCTION latticeiq_search_vector(first_name text, last_name text, email text, company text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_to_tsvector(latticeiq_words(concat_ws(' ', first_name, last_name, email, company)))
$$;
