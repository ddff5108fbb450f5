-- Postgres: the functions of SPEC §5 ("Functions (Postgres)") and the
-- helpers they are built from: number parsing of §6.2, derived columns of
-- §6.2, field access of §6.1, ICP matching of §6.3 and workspace stats.
-- Every function is SECURITY INVOKER (the default), so RLS applies to the
-- tables they read. Re-runnable: CREATE OR REPLACE throughout. The Rust side
-- (src/domain/{enrichment,fields,icp}.rs) implements the same rules and a
-- test compares both; change them together.
--
-- Whitespace, as in Rust's str::trim (Unicode White_Space), is the class
--   [\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]
-- written out in the patterns below.

------------------------------------------------------------------------------
-- JSON value helpers
------------------------------------------------------------------------------

-- A text source of §6.2: a JSON string that is not blank, as is; a number
-- as its text; a boolean as 'true'/'false' (0 and false are values);
-- objects, arrays, null and blank strings are not text (NULL).
CREATE OR REPLACE FUNCTION latticeiq_text(value jsonb) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE jsonb_typeof(value)
    WHEN 'string' THEN CASE
      WHEN (value #>> '{}') ~ '^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$' THEN NULL
      ELSE value #>> '{}' END
    WHEN 'number' THEN value #>> '{}'
    WHEN 'boolean' THEN value #>> '{}'
  END
$$;

-- A value read through a field definition (§6.1 step 3) as text: NULL for
-- missing (JSON null, "" or []); strings as is; an array as its elements
-- joined with ', ' (strings as is, other elements as JSON); numbers,
-- booleans and objects as their JSON text.
CREATE OR REPLACE FUNCTION latticeiq_json_field_text(value jsonb) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE jsonb_typeof(value)
    WHEN 'null' THEN NULL
    WHEN 'string' THEN nullif(value #>> '{}', '')
    WHEN 'array' THEN CASE WHEN jsonb_array_length(value) = 0 THEN NULL ELSE
      (SELECT string_agg(CASE jsonb_typeof(e) WHEN 'string' THEN e #>> '{}' ELSE e::text END, ', ' ORDER BY n)
       FROM jsonb_array_elements(value) WITH ORDINALITY AS t(e, n)) END
    ELSE value::text
  END
$$;

------------------------------------------------------------------------------
-- Numbers of §6.2: unparseable → NULL, never an error
------------------------------------------------------------------------------

-- Employees: a non-negative JSON number (floored), or "N", "N+", "A-B" /
-- "A–B" (floored midpoint), thousands commas allowed, optional trailing
-- word ("50-200 employees"); must fit an integer.
CREATE OR REPLACE FUNCTION latticeiq_parse_employees(value jsonb) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE jsonb_typeof(value)
    WHEN 'number' THEN (
      SELECT CASE WHEN n >= 0 AND n <= 2147483647 THEN n::integer END
      FROM (SELECT floor((value #>> '{}')::numeric) AS n) f)
    WHEN 'string' THEN (
      SELECT CASE
        WHEN m IS NULL THEN NULL
        WHEN length(ltrim(a, '0')) > 12 OR length(ltrim(coalesce(b, ''), '0')) > 12 THEN NULL
        ELSE (SELECT CASE WHEN r <= 2147483647 THEN r::integer END
              FROM (SELECT CASE WHEN b IS NULL THEN a::numeric
                                ELSE floor((a::numeric + b::numeric) / 2) END AS r) x)
        END
      FROM (SELECT m, replace(m[1], ',', '') AS a, replace(m[2], ',', '') AS b
            FROM (SELECT regexp_match(
                    (value #>> '{}') COLLATE "und-x-icu",
                    '^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*'
                    '([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)'
                    '[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*'
                    '(?:[-\u2013][\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*'
                    '([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)|\+)?'
                    '[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*'
                    '[[:alpha:]]*'
                    '[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$') AS m) r) p)
  END
$$;

-- Revenue: a JSON number rounded half away from zero; or a string with an
-- optional $, € or £, a decimal with optional thousands commas and an
-- optional K/M/B suffix (any case), computed exactly and rounded half away
-- from zero ("$12.5M" → 12500000); must fit a bigint.
CREATE OR REPLACE FUNCTION latticeiq_parse_revenue(value jsonb) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE jsonb_typeof(value)
    WHEN 'number' THEN (
      SELECT CASE WHEN n >= -9223372036854775808 AND n <= 9223372036854775807 THEN n::bigint END
      FROM (SELECT round((value #>> '{}')::numeric) AS n) f)
    WHEN 'string' THEN (
      SELECT CASE
        WHEN m IS NULL OR length(ltrim(replace(m[1], ',', ''), '0')) > 19 THEN NULL
        ELSE (SELECT CASE WHEN r <= 9223372036854775807 THEN r::bigint END
              FROM (SELECT round((replace(m[1], ',', '')
                                  -- only the digits that survive the shift and the first one dropped matter
                                  || '.' || coalesce(substr(m[2], 1, s + 1), '0'))::numeric
                                 * (10::numeric ^ s)) AS r) x)
        END
      FROM (SELECT m, CASE lower(m[3]) WHEN 'k' THEN 3 WHEN 'm' THEN 6 WHEN 'b' THEN 9 ELSE 0 END AS s
            FROM (SELECT regexp_match(
                    (value #>> '{}') COLLATE "und-x-icu",
                    '^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*'
                    '[$\u20ac\u00a3]?'
                    '[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*'
                    '([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?'
                    '[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*'
                    '([kKmMbB]?)'
                    '[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$') AS m) r) p)
  END
$$;

-- Growth (a fraction): a JSON number as is; a string "18%" → 0.18, "-3%" →
-- -0.03 (computed in numeric, then converted); a plain numeric string as
-- is. No commas, exponents, inf or NaN. Out of float8 range → NULL.
CREATE OR REPLACE FUNCTION latticeiq_parse_growth(value jsonb) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE
    WHEN n IS NULL THEN NULL
    WHEN abs(n) > 1.7976931348623157e308 THEN NULL
    WHEN abs(n) < 1e-320 THEN 0::double precision  -- below the smallest subnormal: what strtod gives
    ELSE n::double precision
  END
  FROM (SELECT CASE jsonb_typeof(value)
      WHEN 'number' THEN (
        SELECT CASE WHEN length(split_part(ltrim(t, '-'), '.', 1)) <= 400 THEN t::numeric END
        FROM (SELECT value #>> '{}' AS t) s)
      WHEN 'string' THEN (
        SELECT CASE
          WHEN m IS NULL OR length(ltrim(m[2], '0')) > 400 THEN NULL
          ELSE (m[1] || m[2] || '.' || coalesce(left(m[3], 1000), '0'))::numeric
               * CASE WHEN m[4] IS NULL THEN 1 ELSE 0.01 END
          END
        FROM (SELECT regexp_match(
                (value #>> '{}') COLLATE "und-x-icu",
                '^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*'
                '([-+]?)([0-9]+)(?:\.([0-9]+))?'
                '(?:[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(%))?'
                '[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$') AS m) r)
    END AS n) v
$$;

-- An ICP size bound (§6.3): a non-negative JSON integer, or a string "N" /
-- "N+" with optional thousands commas; anything else NULL.
CREATE OR REPLACE FUNCTION latticeiq_parse_size_bound(value jsonb) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE
    WHEN d IS NULL OR length(ltrim(d, '0')) > 19 THEN NULL
    WHEN d::numeric > 9223372036854775807 THEN NULL
    ELSE d::bigint
  END
  FROM (SELECT CASE jsonb_typeof(value)
      WHEN 'number' THEN substring(value::text FROM '^([0-9]+)$')
      WHEN 'string' THEN replace(substring(
        (value #>> '{}') COLLATE "und-x-icu" FROM
        '^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*'
        '([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)'
        '[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\+?'
        '[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$'), ',', '')
    END AS d) s
$$;

------------------------------------------------------------------------------
-- Derived columns of §6.2
------------------------------------------------------------------------------

-- The value of one derived column read out of the JSON, as text: the first
-- non-empty, parseable source of the §6.2 table (kernel long spelling
-- first); numbers as text. NULL when none, or when column_name is not one
-- of the 12 derived columns.
CREATE OR REPLACE FUNCTION latticeiq_derived(column_name text, enrichment_data jsonb, kernel_analysis jsonb)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE column_name
    WHEN 'enrichment_company_name' THEN coalesce(
      latticeiq_text(enrichment_data #> '{company,name}'),
      latticeiq_text(enrichment_data #> '{synthesized,company_data,name}'),
      latticeiq_text(enrichment_data #> '{company_name}'))
    WHEN 'enrichment_company_industry' THEN coalesce(
      latticeiq_text(enrichment_data #> '{company,industry}'),
      latticeiq_text(enrichment_data #> '{synthesized,company_data,industry}'),
      latticeiq_text(enrichment_data #> '{industry}'),
      latticeiq_text(enrichment_data #> '{vertical}'),
      latticeiq_text(enrichment_data #> '{quick_enrich,industry}'),
      latticeiq_text(enrichment_data #> '{quick_enrich,vertical}'))
    WHEN 'enrichment_company_revenue' THEN coalesce(
      latticeiq_parse_revenue(enrichment_data #> '{company,revenue}'),
      latticeiq_parse_revenue(enrichment_data #> '{synthesized,company_data,revenue}'),
      latticeiq_parse_revenue(enrichment_data #> '{revenue}'))::text
    WHEN 'enrichment_company_employees' THEN coalesce(
      latticeiq_parse_employees(enrichment_data #> '{company,employees}'),
      latticeiq_parse_employees(enrichment_data #> '{synthesized,company_data,employees}'),
      latticeiq_parse_employees(enrichment_data #> '{employees}'),
      latticeiq_parse_employees(enrichment_data #> '{company_size}'),
      latticeiq_parse_employees(enrichment_data #> '{quick_enrich,company_size}'))::text
    WHEN 'enrichment_company_growth_yoy' THEN coalesce(
      latticeiq_parse_growth(enrichment_data #> '{company,growth_yoy}'),
      latticeiq_parse_growth(enrichment_data #> '{growth_yoy}'))::text
    WHEN 'enrichment_person_title' THEN coalesce(
      latticeiq_text(enrichment_data #> '{person,title}'),
      latticeiq_text(enrichment_data #> '{inferred_title}'),
      latticeiq_text(enrichment_data #> '{quick_enrich,inferred_title}'),
      latticeiq_text(enrichment_data #> '{job_title}'))
    WHEN 'enrichment_person_background' THEN coalesce(
      latticeiq_text(enrichment_data #> '{person,background}'),
      latticeiq_text(enrichment_data #> '{synthesized,profile_summary}'),
      latticeiq_text(enrichment_data #> '{summary}'),
      latticeiq_text(enrichment_data #> '{quick_enrich,summary}'))
    WHEN 'kernel_who_persona' THEN coalesce(
      latticeiq_text(kernel_analysis #> '{who,persona_type}'),
      latticeiq_text(kernel_analysis #> '{who,persona}'),
      latticeiq_text(enrichment_data #> '{persona_type}'),
      latticeiq_text(enrichment_data #> '{quick_enrich,persona_type}'))
    WHEN 'kernel_who_influence' THEN coalesce(
      latticeiq_text(kernel_analysis #> '{who,influence_level}'),
      latticeiq_text(kernel_analysis #> '{who,influence}'))
    WHEN 'kernel_when_urgency' THEN coalesce(
      latticeiq_text(kernel_analysis #> '{when,urgency_level}'),
      latticeiq_text(kernel_analysis #> '{when,urgency}'))
    WHEN 'kernel_when_timing_signal' THEN
      latticeiq_text(kernel_analysis #> '{when,timing_signal}')
    WHEN 'kernel_what_hook' THEN coalesce(
      latticeiq_text(kernel_analysis #> '{what,opening_hook}'),
      latticeiq_text(kernel_analysis #> '{what,hook}'),
      latticeiq_text(enrichment_data #> '{opening_line}'),
      latticeiq_text(enrichment_data #> '{quick_enrich,opening_line}'),
      latticeiq_text(enrichment_data #> '{synthesized,opening_line}'),
      latticeiq_text(enrichment_data #> '{synthesized,hook_angle}'))
  END
$$;

------------------------------------------------------------------------------
-- Field access of §6.1
------------------------------------------------------------------------------

-- One column of a contact as text (§6.1 rendering), NULL when it is empty
-- (NULL, '', an empty tags array, JSON null, "" or []) or when col is not a
-- readable column (workspace_id is not one).
CREATE OR REPLACE FUNCTION latticeiq_contact_column(c contacts, col text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE col
    WHEN 'id' THEN c.id::text
    WHEN 'user_id' THEN c.user_id::text
    WHEN 'email' THEN nullif(c.email, '')
    WHEN 'first_name' THEN nullif(c.first_name, '')
    WHEN 'last_name' THEN nullif(c.last_name, '')
    WHEN 'company' THEN nullif(c.company, '')
    WHEN 'job_title' THEN nullif(c.job_title, '')
    WHEN 'phone' THEN nullif(c.phone, '')
    WHEN 'linkedin_url' THEN nullif(c.linkedin_url, '')
    WHEN 'website' THEN nullif(c.website, '')
    WHEN 'vertical' THEN nullif(c.vertical, '')
    WHEN 'persona_type' THEN nullif(c.persona_type, '')
    WHEN 'annual_revenue' THEN c.annual_revenue::text
    WHEN 'enrichment_status' THEN nullif(c.enrichment_status, '')
    WHEN 'enrichment_data' THEN CASE WHEN c.enrichment_data IN ('null', '""', '[]') THEN NULL ELSE c.enrichment_data::text END
    WHEN 'kernel_analysis' THEN CASE WHEN c.kernel_analysis IN ('null', '""', '[]') THEN NULL ELSE c.kernel_analysis::text END
    WHEN 'enriched_at' THEN to_char(c.enriched_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || 'Z'
    WHEN 'lifecycle_stage' THEN nullif(c.lifecycle_stage, '')
    WHEN 'lead_status' THEN nullif(c.lead_status, '')
    WHEN 'pipeline_stage' THEN nullif(c.pipeline_stage, '')
    WHEN 'external_id' THEN nullif(c.external_id, '')
    WHEN 'hubspot_id' THEN nullif(c.hubspot_id, '')
    WHEN 'created_at' THEN to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || 'Z'
    WHEN 'updated_at' THEN to_char(c.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || 'Z'
    WHEN 'enrichment_company_name' THEN nullif(c.enrichment_company_name, '')
    WHEN 'enrichment_company_revenue' THEN c.enrichment_company_revenue::text
    WHEN 'enrichment_company_employees' THEN c.enrichment_company_employees::text
    WHEN 'enrichment_company_industry' THEN nullif(c.enrichment_company_industry, '')
    WHEN 'enrichment_company_growth_yoy' THEN c.enrichment_company_growth_yoy::text
    WHEN 'enrichment_person_title' THEN nullif(c.enrichment_person_title, '')
    WHEN 'enrichment_person_background' THEN nullif(c.enrichment_person_background, '')
    WHEN 'enrichment_last_enriched_at' THEN
      to_char(c.enrichment_last_enriched_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || 'Z'
    WHEN 'enrichment_data_quality_score' THEN c.enrichment_data_quality_score::text
    WHEN 'kernel_who_persona' THEN nullif(c.kernel_who_persona, '')
    WHEN 'kernel_who_influence' THEN nullif(c.kernel_who_influence, '')
    WHEN 'kernel_when_urgency' THEN nullif(c.kernel_when_urgency, '')
    WHEN 'kernel_when_timing_signal' THEN nullif(c.kernel_when_timing_signal, '')
    WHEN 'kernel_what_hook' THEN nullif(c.kernel_what_hook, '')
    WHEN 'best_call_variant_number' THEN c.best_call_variant_number::text
    WHEN 'email_subject' THEN nullif(c.email_subject, '')
    WHEN 'email_body_preview' THEN nullif(c.email_body_preview, '')
    WHEN 'assigned_product' THEN nullif(c.assigned_product, '')
    WHEN 'icp_id' THEN c.icp_id::text
    WHEN 'icp_match_score' THEN c.icp_match_score::text
    WHEN 'product_match' THEN CASE WHEN c.product_match IN ('null', '""', '[]') THEN NULL ELSE c.product_match::text END
    WHEN 'campaign_id' THEN c.campaign_id::text
    WHEN 'email_send_id' THEN nullif(c.email_send_id, '')
    WHEN 'source' THEN nullif(c.source, '')
    WHEN 'tags' THEN CASE WHEN cardinality(c.tags) > 0 THEN array_to_string(c.tags, ', ') END
    WHEN 'notes' THEN nullif(c.notes, '')
  END
$$;

-- The columns a field name reads, in order (§6.1 steps 1 and 2): the
-- column itself, or an alias's columns; NULL when the name is neither.
-- full_name is handled by get_contact_field.
CREATE OR REPLACE FUNCTION latticeiq_field_columns(field_name text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE
    WHEN field_name = ANY (ARRAY[
      'id', 'user_id', 'email', 'first_name', 'last_name', 'company', 'job_title', 'phone',
      'linkedin_url', 'website', 'vertical', 'persona_type', 'annual_revenue', 'enrichment_status',
      'enrichment_data', 'kernel_analysis', 'enriched_at', 'lifecycle_stage', 'lead_status',
      'pipeline_stage', 'external_id', 'hubspot_id', 'created_at', 'updated_at',
      'enrichment_company_name', 'enrichment_company_revenue', 'enrichment_company_employees',
      'enrichment_company_industry', 'enrichment_company_growth_yoy', 'enrichment_person_title',
      'enrichment_person_background', 'enrichment_last_enriched_at', 'enrichment_data_quality_score',
      'kernel_who_persona', 'kernel_who_influence', 'kernel_when_urgency', 'kernel_when_timing_signal',
      'kernel_what_hook', 'best_call_variant_number', 'email_subject', 'email_body_preview',
      'assigned_product', 'icp_id', 'icp_match_score', 'product_match', 'campaign_id',
      'email_send_id', 'source', 'tags', 'notes'])
      THEN ARRAY[field_name]
    ELSE CASE field_name
      WHEN 'company_name' THEN ARRAY['enrichment_company_name', 'company']
      WHEN 'industry' THEN ARRAY['enrichment_company_industry', 'vertical']
      WHEN 'company_industry' THEN ARRAY['enrichment_company_industry', 'vertical']
      WHEN 'person_title' THEN ARRAY['enrichment_person_title', 'job_title']
      WHEN 'title' THEN ARRAY['enrichment_person_title', 'job_title']
      WHEN 'company_revenue' THEN ARRAY['enrichment_company_revenue']
      WHEN 'company_employees' THEN ARRAY['enrichment_company_employees']
      WHEN 'company_growth' THEN ARRAY['enrichment_company_growth_yoy']
      WHEN 'person_background' THEN ARRAY['enrichment_person_background']
      WHEN 'persona' THEN ARRAY['kernel_who_persona', 'persona_type']
      WHEN 'influence' THEN ARRAY['kernel_who_influence']
      WHEN 'urgency' THEN ARRAY['kernel_when_urgency']
      WHEN 'timing_signal' THEN ARRAY['kernel_when_timing_signal']
      WHEN 'hook' THEN ARRAY['kernel_what_hook']
      WHEN 'quality_score' THEN ARRAY['enrichment_data_quality_score']
      WHEN 'product' THEN ARRAY['assigned_product']
      WHEN 'icp_score' THEN ARRAY['icp_match_score']
      WHEN 'full_name' THEN ARRAY['first_name', 'last_name']
    END
  END
$$;

-- SPEC §6.1: the value of a field of a contact as text, NULL when empty;
-- an unknown name raises SQLSTATE 22023 'unknown field: <name>'.
CREATE OR REPLACE FUNCTION get_contact_field(c contacts, field_name text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  cols text[] := latticeiq_field_columns(get_contact_field.field_name);
  col text;
  v text;
  path text;
BEGIN
  IF get_contact_field.field_name = 'full_name' THEN
    RETURN nullif(regexp_replace(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, ''),
      '^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|'
      '[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$', '', 'g'), '');
  END IF;
  -- 1, 2: the column, or the alias's columns in order
  IF cols IS NOT NULL THEN
    FOREACH col IN ARRAY cols LOOP
      v := latticeiq_contact_column(c, col);
      IF v IS NOT NULL THEN
        RETURN v;
      END IF;
    END LOOP;
  END IF;
  -- 3: a field definition of the contact's workspace
  SELECT d.jsonb_path INTO path
  FROM contact_field_definitions d
  WHERE d.workspace_id = c.workspace_id AND d.field_name = get_contact_field.field_name;
  IF FOUND THEN
    v := latticeiq_json_field_text(c.enrichment_data #> string_to_array(path, '.'));
    IF v IS NOT NULL THEN
      RETURN v;
    END IF;
  ELSIF cols IS NULL THEN
    RAISE EXCEPTION 'unknown field: %', get_contact_field.field_name USING ERRCODE = '22023';
  END IF;
  -- 4: a derived column still empty, from its JSON sources
  IF cols IS NOT NULL THEN
    FOREACH col IN ARRAY cols LOOP
      v := latticeiq_derived(col, c.enrichment_data, c.kernel_analysis);
      IF v IS NOT NULL THEN
        RETURN v;
      END IF;
    END LOOP;
  END IF;
  RETURN NULL;
END
$$;

------------------------------------------------------------------------------
-- ICP matching of §6.3
------------------------------------------------------------------------------

-- Phrase match on word sequences (§6.3): equal, one a contiguous run of
-- whole words of the other, or a shared word of ≥ 3 characters. Empty (or
-- NULL) arrays never match.
CREATE OR REPLACE FUNCTION latticeiq_phrase_matches(a text[], b text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(cardinality(a) > 0 AND cardinality(b) > 0 AND (
       position(' ' || array_to_string(b, ' ') || ' ' IN ' ' || array_to_string(a, ' ') || ' ') > 0
    OR position(' ' || array_to_string(a, ' ') || ' ' IN ' ' || array_to_string(b, ' ') || ' ') > 0
    OR EXISTS (SELECT 1 FROM unnest(a) AS w WHERE char_length(w) >= 3 AND w = ANY (b))), false)
$$;

-- The words of a text (latticeiq_words) as one string ' w1 w2 … ', with a
-- space before and after each word: '  ' when there are none, NULL for
-- NULL. Written without latticeiq_words so that it inlines into the scorer;
-- the test script checks that both give the same words.
CREATE OR REPLACE FUNCTION latticeiq_word_string(input text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ' ' || btrim(regexp_replace(lower(input COLLATE "und-x-icu"), '[^[:alnum:]]+', ' ', 'g'), ' ') || ' '
$$;

-- One list criterion (industries or personas) of an ICP, prepared for
-- latticeiq_icp_text_matches: NULL when the ICP does not set it (not a
-- non-empty array); else {"w": weight, "re": …, "hay": …}, tested against
-- the contact's word string ' c1 c2 … ' (latticeiq_word_string). A contact
-- matches a phrase p when
--   (a) it contains p as a contiguous run (equality included),
--   (b) it shares a word of ≥ 3 characters with p,
--   (c) (personas) it shares a role keyword with p, or
--   (d) it is a contiguous run of p.
-- re = ' (?:alt|…) ' over the phrases, their words of ≥ 3 characters and
-- (personas) their role keywords covers (a)–(c). For (d): when the contact
-- has a word of ≥ 3 characters, that word is in p and (b) holds already, so
-- (d) only needs the contact strings made of 1–2 character words that are
-- runs of p; re gets them as the anchored alternative '^ (?:run|…) $|'.
-- Should a pathological ICP have more than 500 such runs, re keeps (a)–(c)
-- and hay = '| p1 | p2 |' (the phrases' word strings) answers (d) with
-- strpos instead; otherwise hay is NULL, which the planner folds away.
-- Words are letters and digits only, so they need no regex escaping, and a
-- match in hay cannot straddle '|'. re is NULL when no phrase has a word
-- (such a criterion counts but never matches).
CREATE OR REPLACE FUNCTION latticeiq_icp_prepare_list(phrases jsonb, weight bigint, with_roles boolean)
RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  roles constant text[] := ARRAY['executive', 'manager', 'director', 'vp', 'president',
                                 'ceo', 'cfo', 'cto', 'coo', 'founder', 'owner', 'decision'];
  max_runs constant integer := 500;
  phrase text;
  w text[];
  x text;
  alts text[] := '{}';
  runs text[] := '{}';
  run_count bigint := 0;
  seg_start integer;
  n integer;
  i integer;
  j integer;
  k integer;
  re text;
  hay text;
BEGIN
  IF jsonb_typeof(phrases) IS DISTINCT FROM 'array' OR jsonb_array_length(phrases) = 0 THEN
    RETURN NULL;
  END IF;
  FOR phrase IN SELECT e FROM jsonb_array_elements_text(phrases) AS e LOOP
    w := latticeiq_words(phrase);
    n := coalesce(cardinality(w), 0);
    CONTINUE WHEN n = 0;
    alts := alts || array_to_string(w, ' ');
    FOREACH x IN ARRAY w LOOP
      IF char_length(x) >= 3 OR (with_roles AND x = ANY (roles)) THEN
        alts := alts || x;
      END IF;
    END LOOP;
    hay := coalesce(hay, '|') || ' ' || array_to_string(w, ' ') || ' |';
    -- runs inside maximal segments of consecutive 1–2 character words
    seg_start := NULL;
    FOR k IN 1 .. n + 1 LOOP
      IF k <= n AND char_length(w[k]) <= 2 THEN
        seg_start := coalesce(seg_start, k);
      ELSIF seg_start IS NOT NULL THEN
        run_count := run_count + (k - seg_start) * (k - seg_start + 1) / 2;
        IF run_count <= max_runs THEN
          FOR i IN seg_start .. k - 1 LOOP
            FOR j IN i .. k - 1 LOOP
              runs := runs || array_to_string(w[i:j], ' ');
            END LOOP;
          END LOOP;
        END IF;
        seg_start := NULL;
      END IF;
    END LOOP;
  END LOOP;
  IF cardinality(alts) > 0 THEN
    SELECT ' (?:' || string_agg(DISTINCT a, '|') || ') ' INTO re FROM unnest(alts) AS a;
    IF run_count > max_runs THEN
      runs := '{}';
    ELSE
      hay := NULL;
    END IF;
    IF cardinality(runs) > 0 THEN
      SELECT '^ (?:' || string_agg(DISTINCT r, '|') || ') $|' || re INTO re FROM unnest(runs) AS r;
    END IF;
  END IF;
  RETURN jsonb_build_object('w', coalesce(weight, 0), 're', re, 'hay', hay);
END
$$;

-- A weight of scoring_weights: a non-negative JSON integer, else 0.
CREATE OR REPLACE FUNCTION latticeiq_icp_weight(value jsonb) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(CASE WHEN length(d) <= 10 THEN d::bigint END, 0)
  FROM (SELECT CASE WHEN jsonb_typeof(value) = 'number' THEN substring(value::text FROM '^0*([0-9]+)$') END AS d) s
$$;

-- An ICP prepared once per query (it is IMMUTABLE, so with constant
-- arguments the planner folds it into a constant): the three criteria the
-- ICP sets, with their weights, and the maximum score.
--   {"industry": list, "persona": list, "size": {"w", "min", "max"},
--    "max": sum of the weights of the set criteria}
-- with the keys of unset criteria (and null bounds) left out.
-- Weights absent or JSON null → 30/40/30; otherwise each key must be a
-- non-negative integer (else 0). The size criterion is set when a bound
-- parses (latticeiq_parse_size_bound). COST 10000 makes a generic plan,
-- which would prepare the ICP again for every row, look as dear as it is,
-- so that the plan cache keeps custom (folded) plans for prepared queries.
CREATE OR REPLACE FUNCTION latticeiq_icp_prepare(criteria jsonb, weights jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 10000 AS $$
  SELECT jsonb_strip_nulls(jsonb_build_object('industry', i, 'persona', p, 'size', s,
           'max', coalesce((i ->> 'w')::bigint, 0) + coalesce((p ->> 'w')::bigint, 0) + coalesce((s ->> 'w')::bigint, 0)))
  FROM (SELECT CASE WHEN weights IS NULL OR weights = 'null' THEN '{"industry_weight": 30, "persona_weight": 40, "company_size_weight": 30}'
                    ELSE weights END AS wt,
               latticeiq_parse_size_bound(criteria -> 'min_company_size') AS lo,
               latticeiq_parse_size_bound(criteria -> 'max_company_size') AS hi) a,
       LATERAL (SELECT latticeiq_icp_prepare_list(criteria -> 'industries', latticeiq_icp_weight(wt -> 'industry_weight'), false) AS i,
                       latticeiq_icp_prepare_list(criteria -> 'personas', latticeiq_icp_weight(wt -> 'persona_weight'), true) AS p,
                       CASE WHEN lo IS NOT NULL OR hi IS NOT NULL THEN
                         jsonb_build_object('w', latticeiq_icp_weight(wt -> 'company_size_weight'), 'min', lo, 'max', hi)
                       END AS s) b
$$;

-- Whether a contact value matches a prepared list criterion (see
-- latticeiq_icp_prepare_list); false when the criterion is NULL.
CREATE OR REPLACE FUNCTION latticeiq_icp_text_matches(value text, list jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(latticeiq_word_string(value) COLLATE "C" ~ (list ->> 're')
               OR strpos((list ->> 'hay') COLLATE "C", latticeiq_word_string(value)) > 0, false)
$$;

-- The score of one contact's values against a prepared ICP.
CREATE OR REPLACE FUNCTION latticeiq_icp_score(industry text, persona text, employees bigint, icp jsonb)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN coalesce((icp ->> 'max')::bigint, 0) <= 0 THEN 0 ELSE
    ((100 * (
        CASE WHEN latticeiq_icp_text_matches(industry, icp -> 'industry') THEN (icp -> 'industry' ->> 'w')::bigint ELSE 0 END
      + CASE WHEN latticeiq_icp_text_matches(persona, icp -> 'persona') THEN (icp -> 'persona' ->> 'w')::bigint ELSE 0 END
      -- no size criterion: no "w", so 0
      + CASE WHEN employees >= coalesce((icp -> 'size' ->> 'min')::bigint, employees)
              AND employees <= coalesce((icp -> 'size' ->> 'max')::bigint, employees)
             THEN coalesce((icp -> 'size' ->> 'w')::bigint, 0) ELSE 0 END
      )) / (icp ->> 'max')::bigint)::integer
  END
$$;

-- SPEC §6.3, set-based: the score of a contact row. A plain SQL expression
-- that the planner inlines: c.<column> become plain column reads, and with
-- constant criteria/weights the prepared ICP is computed once at plan time,
-- so a row costs two word splits and two regex tests.
CREATE OR REPLACE FUNCTION calculate_icp_match(c contacts, criteria jsonb, weights jsonb) RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT latticeiq_icp_score(
    coalesce(nullif(c.enrichment_company_industry, ''), c.vertical),
    coalesce(nullif(c.kernel_who_persona, ''), c.persona_type),
    c.enrichment_company_employees,
    latticeiq_icp_prepare(criteria, weights))
$$;

-- SPEC §5/§6.3: the score of the contact with this id (RLS applies), NULL
-- when there is no such contact visible.
CREATE OR REPLACE FUNCTION calculate_icp_match(contact_id uuid, criteria jsonb, weights jsonb) RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT calculate_icp_match(c, criteria, weights) FROM contacts c WHERE c.id = contact_id
$$;

------------------------------------------------------------------------------
-- Workspace stats
------------------------------------------------------------------------------

-- SPEC §5: one row of counts for a workspace (RLS applies on top).
CREATE OR REPLACE FUNCTION get_workspace_stats(workspace uuid)
RETURNS TABLE (total_contacts bigint, enriched_contacts bigint, decision_makers bigint,
               active_campaigns bigint, total_templates bigint, avg_quality_score double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT
    s.total_contacts,
    s.enriched_contacts,
    s.decision_makers,
    (SELECT count(*) FROM campaigns k WHERE k.workspace_id = workspace AND k.status = 'active'),
    (SELECT count(*) FROM email_templates t WHERE t.workspace_id = workspace)
      + (SELECT count(*) FROM call_templates t WHERE t.workspace_id = workspace),
    s.avg_quality_score
  FROM (
    SELECT
      count(*) AS total_contacts,
      count(*) FILTER (WHERE c.enrichment_data_quality_score >= 60) AS enriched_contacts,
      count(*) FILTER (WHERE latticeiq_persona_words(c.kernel_who_persona, c.persona_type)
                             && ARRAY['decision', 'owner', 'founder']) AS decision_makers,
      coalesce(round(avg(c.enrichment_data_quality_score), 2), 0)::double precision AS avg_quality_score
    FROM contacts c
    WHERE c.workspace_id = workspace
  ) s
$$;

------------------------------------------------------------------------------
-- Grants
------------------------------------------------------------------------------

GRANT EXECUTE ON FUNCTION
  latticeiq_text(jsonb),
  latticeiq_json_field_text(jsonb),
  latticeiq_parse_employees(jsonb),
  latticeiq_parse_revenue(jsonb),
  latticeiq_parse_growth(jsonb),
  latticeiq_parse_size_bound(jsonb),
  latticeiq_derived(text, jsonb, jsonb),
  latticeiq_contact_column(contacts, text),
  latticeiq_field_columns(text),
  get_contact_field(contacts, text),
  latticeiq_phrase_matches(text[], text[]),
  latticeiq_word_string(text),
  latticeiq_icp_prepare_list(jsonb, bigint, boolean),
  latticeiq_icp_weight(jsonb),
  latticeiq_icp_prepare(jsonb, jsonb),
  latticeiq_icp_text_matches(text, jsonb),
  latticeiq_icp_score(text, text, bigint, jsonb),
  calculate_icp_match(contacts, jsonb, jsonb),
  calculate_icp_match(uuid, jsonb, jsonb),
  get_workspace_stats(uuid)
TO :rls_role;
