-- Assertions for pg_0005_functions_up.sql, on a database migrated through
-- pg_0005, as a superuser (the uuid overload of calculate_icp_match must see
-- rows without RLS claims). Everything runs in one transaction that is rolled
-- back. A failed assertion stops the script with a non-zero exit status.
--
--   psql -X -v ON_ERROR_STOP=1 -d DB \
--        -v fixtures=/path/to/shared/fixtures \
--        -v repo_fixtures=/path/to/main/fixtures \
--        -f migration/src/sql/pg_0005_functions_test.sql
--
-- fixtures defaults to ../shared/fixtures and repo_fixtures to fixtures
-- (paths from the repository root); repo_fixtures may be missing. rls_role
-- (-v rls_role=…) is DB_RLS_ROLE, latticeiq_app by default.

\set ON_ERROR_STOP on
\if :{?fixtures}
\else
\set fixtures ../shared/fixtures
\endif
\if :{?repo_fixtures}
\else
\set repo_fixtures fixtures
\endif
\if :{?rls_role}
\else
\set rls_role latticeiq_app
\endif

-- {"<file name>": <vector>, …} for every *.json of a directory ({} when none)
\set icp_vectors `cat :'fixtures'/icp_scoring.json`
\set enrichment_vectors `sh -c 'printf "{"; sep=""; for f in "$1"/enrichment/*.json "$2"/enrichment/*.json; do [ -f "$f" ] || continue; printf "%s\"%s\":" "$sep" "$f"; cat "$f"; sep=","; done; printf "}"' sh :'fixtures' :'repo_fixtures'`

BEGIN;
SET LOCAL client_min_messages = warning;

CREATE TEMP TABLE fx AS
SELECT :'icp_vectors'::jsonb AS icp, :'enrichment_vectors'::jsonb AS enrichment, :'fixtures'::text AS fixtures_dir,
       :'rls_role'::text AS rls_role;

CREATE FUNCTION pg_temp.check(actual text, expected text, what text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF actual IS DISTINCT FROM expected THEN
    RAISE EXCEPTION 'FAIL %: got %, expected %', what,
      coalesce(quote_literal(actual), 'NULL'), coalesce(quote_literal(expected), 'NULL');
  END IF;
END
$$;

------------------------------------------------------------------------------
-- Number parsing (§6.2) and text sources
------------------------------------------------------------------------------
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT * FROM (VALUES
    ('340', '340'), ('0', '0'), ('340.0', '340'), ('340.9', '340'), ('"340"', '340'), ('"50+"', '50'),
    ('"50 employees"', '50'), ('"50+ employees"', '50'), ('"50-200 employees"', '125'), ('"51-200"', '125'),
    ('"1–5 employees"', '3'), ('"10 - 20"', '15'), ('" 1,000 "', '1000'), ('"1,000"', '1000'),
    ('"10,000+"', '10000'), ('"1,000-5,000 employees"', '3000'), ('"2147483647"', '2147483647'),
    ('"0000000000000000000000050"', '50'), ('"1,000–2,000"', '1500'),
    ('"self-employed"', NULL), ('""', NULL), ('"   "', NULL), ('"lots"', NULL), ('-5', NULL), ('-0.5', NULL),
    ('"-5"', NULL), ('"2147483648"', NULL), ('2147483648', NULL), ('1e300', NULL),
    ('18446744073709551615', NULL), ('"99999999999999999999999999999999-1"', NULL), ('"1,0"', NULL),
    ('"1000,000"', NULL), ('"12.5"', NULL), ('"50 to 200"', NULL), ('"50-"', NULL), ('"50-200+"', NULL),
    ('"50++"', NULL), ('"about 50"', NULL), ('"50 big companies"', NULL), ('null', NULL), ('true', NULL),
    ('[50]', NULL), ('{"count": 50}', NULL)) AS t(input, expected)
  LOOP
    PERFORM pg_temp.check(latticeiq_parse_employees(r.input::jsonb)::text, r.expected, 'parse_employees ' || r.input);
  END LOOP;

  FOR r IN SELECT * FROM (VALUES
    ('"$12.5M"', '12500000'), ('"$4.1M"', '4100000'), ('"€500K"', '500000'), ('"$1.2B"', '1200000000'),
    ('"$3B"', '3000000000'), ('"£750k"', '750000'), ('"2.35m"', '2350000'), ('"$0.1b"', '100000000'),
    ('"1,250,000"', '1250000'), ('"$1,250,000.50"', '1250001'), ('"$1,250,000.49"', '1250000'),
    ('"$1.0000005M"', '1000001'), ('"$1.00000049999M"', '1000000'), ('"  $ 12.5 M  "', '12500000'),
    ('"0"', '0'), ('"$0.4"', '0'), ('"9223372036854775807"', '9223372036854775807'),
    ('250000000', '250000000'), ('0', '0'), ('1234.5', '1235'), ('1234.4', '1234'), ('-2.5', '-3'),
    ('"$1M-$5M"', NULL), ('"1M - 5M"', NULL), ('"$12.5 million"', NULL), ('"about $5M"', NULL), ('"$"', NULL),
    ('"$.5M"', NULL), ('"$5.M"', NULL), ('"5MM"', NULL), ('"5T"', NULL), ('"-$5M"', NULL), ('"1e6"', NULL),
    ('"1,00"', NULL), ('"9223372036854775808"', NULL), ('"$9999999999B"', NULL), ('""', NULL), ('"  "', NULL),
    ('1e300', NULL), ('18446744073709551615', NULL), ('null', NULL), ('false', NULL), ('[1]', NULL),
    ('"$1.' || repeat('9', 20000) || 'M"', '2000000')) AS t(input, expected)
  LOOP
    PERFORM pg_temp.check(latticeiq_parse_revenue(r.input::jsonb)::text, r.expected, 'parse_revenue ' || left(r.input, 40));
  END LOOP;

  FOR r IN SELECT * FROM (VALUES
    ('"18%"', '0.18'), ('"-3%"', '-0.03'), ('"12.5%"', '0.125'), ('"+7%"', '0.07'), ('"150%"', '1.5'),
    ('"0%"', '0'), ('" 4 % "', '0.04'), ('"0.5%"', '0.005'), ('"0.18"', '0.18'), ('"-0.03"', '-0.03'),
    ('"1"', '1'), ('0.18', '0.18'), ('0', '0'), ('-1', '-1'), ('0.1', '0.1'),
    ('"fast"', NULL), ('"%"', NULL), ('"18%%"', NULL), ('"1e2"', NULL), ('"inf"', NULL), ('"NaN"', NULL),
    ('".5"', NULL), ('"5."', NULL), ('"1,000%"', NULL), ('"--3%"', NULL), ('""', NULL), ('null', NULL),
    ('true', NULL), ('["18%"]', NULL), ('1e400', NULL), ('"1' || repeat('0', 500) || '"', NULL)) AS t(input, expected)
  LOOP
    PERFORM pg_temp.check(latticeiq_parse_growth(r.input::jsonb)::text, r.expected, 'parse_growth ' || left(r.input, 40));
  END LOOP;
  -- exact decimal, not 18/100 in binary
  PERFORM pg_temp.check((latticeiq_parse_growth('"18%"') = 0.18::float8)::text, 'true', 'growth 18% = 0.18');
  PERFORM pg_temp.check((latticeiq_parse_growth('"-3%"') = -0.03::float8)::text, 'true', 'growth -3% = -0.03');

  FOR r IN SELECT * FROM (VALUES
    ('50', '50'), ('"50"', '50'), ('"50+"', '50'), ('"1,000+"', '1000'), ('" 50 + "', '50'), ('0', '0'),
    ('9223372036854775807', '9223372036854775807'),
    ('-5', NULL), ('50.5', NULL), ('"50.5"', NULL), ('"+"', NULL), ('",000"', NULL), ('"1000,000"', NULL),
    ('"99999999999999999999"', NULL), ('"fifty"', NULL), ('null', NULL), ('true', NULL), ('[50]', NULL)) AS t(input, expected)
  LOOP
    PERFORM pg_temp.check(latticeiq_parse_size_bound(r.input::jsonb)::text, r.expected, 'parse_size_bound ' || r.input);
  END LOOP;

  FOR r IN SELECT * FROM (VALUES
    ('"Acme"', 'Acme'), ('"  Acme  "', '  Acme  '), ('42', '42'), ('0', '0'), ('false', 'false'),
    ('""', NULL), ('"   "', NULL), ('null', NULL), ('[]', NULL), ('["SaaS"]', NULL), ('{}', NULL),
    ('{"name": "Finance"}', NULL)) AS t(input, expected)
  LOOP
    PERFORM pg_temp.check(latticeiq_text(r.input::jsonb), r.expected, 'latticeiq_text ' || r.input);
  END LOOP;
  PERFORM pg_temp.check(latticeiq_text(NULL), NULL, 'latticeiq_text NULL');
END
$$;

------------------------------------------------------------------------------
-- Words: latticeiq_word_string (used by the scorer) gives latticeiq_words
------------------------------------------------------------------------------
DO $$
DECLARE bad text;
BEGIN
  SELECT string_agg(format('U+%s', to_hex(cp)), ' ') INTO bad
  FROM (SELECT cp, s FROM generate_series(1, 196607) AS cp,
          LATERAL (VALUES ('a' || chr(cp) || 'B'), (chr(cp) || chr(cp) || ' Z' || chr(cp))) v(s)
        WHERE cp NOT BETWEEN 55296 AND 57343) t
  WHERE latticeiq_word_string(s) IS DISTINCT FROM ' ' || array_to_string(latticeiq_words(s), ' ') || ' ';
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'FAIL word_string differs from latticeiq_words at %', left(bad, 500);
  END IF;
  PERFORM pg_temp.check(latticeiq_word_string('Technology & Software'), ' technology software ', 'word_string');
  PERFORM pg_temp.check(latticeiq_word_string('&-_'), '  ', 'word_string without words');
  PERFORM pg_temp.check(latticeiq_word_string(NULL), NULL, 'word_string NULL');
  PERFORM pg_temp.check(latticeiq_word_string('ÉCOLE Ñoño ΔΈΛΤΑ 東京 ٣'), ' école ñoño δέλτα 東京 ٣ ', 'word_string unicode');
END
$$;

------------------------------------------------------------------------------
-- latticeiq_phrase_matches (§6.3)
------------------------------------------------------------------------------
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT * FROM (VALUES
    ('Finance', 'Finance', true), ('Financial Services', 'Finance', false), ('Software Development', 'Technology & Software', true),
    ('Food & Beverage', 'Technology & Software', false), ('SaaS', 'B2B SaaS Platforms', true), ('IT', 'IT Services', true),
    ('it services', 'IT', true), ('IT', 'Information Technology', false), ('VP of Sales', 'VP', true),
    ('MVP Engineer', 'VP', false), ('a b', 'x a b y', true), ('a y', 'x a b y', false), ('HR', 'hr', true),
    ('Co-Founder', 'founder', true), ('owner_operator', 'Owner', true), ('', 'Finance', false), ('Finance', '&', false),
    ('Café', 'cafe', false), ('Café Ñ', 'CAFÉ', true)) AS t(a, b, expected)
  LOOP
    PERFORM pg_temp.check(latticeiq_phrase_matches(latticeiq_words(r.a), latticeiq_words(r.b))::text, r.expected::text,
                          format('phrase_matches(%s, %s)', r.a, r.b));
    PERFORM pg_temp.check(latticeiq_phrase_matches(latticeiq_words(r.b), latticeiq_words(r.a))::text, r.expected::text,
                          format('phrase_matches(%s, %s)', r.b, r.a));
  END LOOP;
  PERFORM pg_temp.check(latticeiq_phrase_matches('{}', '{}')::text, 'false', 'phrase_matches empty');
  PERFORM pg_temp.check(latticeiq_phrase_matches(NULL, '{a}')::text, 'false', 'phrase_matches NULL');
END
$$;

------------------------------------------------------------------------------
-- ICP vectors (fixtures/icp_scoring.json) through both overloads
------------------------------------------------------------------------------
CREATE TEMP TABLE icp_case AS
SELECT n, v, gen_random_uuid() AS id FROM fx, jsonb_array_elements(fx.icp -> 'cases') WITH ORDINALITY AS t(v, n);

DO $$
DECLARE
  ws constant uuid := 'aaaaaaaa-0000-0000-0000-000000000001';
  r record;
  icp jsonb;
  prep jsonb;
  got integer;
  key text;
BEGIN
  IF (SELECT count(*) FROM icp_case) < 11 THEN
    RAISE EXCEPTION 'FAIL icp_scoring.json: expected at least 11 cases';
  END IF;
  FOR r IN SELECT * FROM icp_case ORDER BY n LOOP
    FOR key IN SELECT jsonb_object_keys(r.v -> 'contact') LOOP
      IF key <> ALL (ARRAY['enrichment_company_industry', 'vertical', 'kernel_who_persona', 'persona_type',
                           'enrichment_company_employees']) THEN
        RAISE EXCEPTION 'FAIL icp case %: unexpected contact key %', r.n, key;
      END IF;
    END LOOP;
    INSERT INTO contacts (id, workspace_id, enrichment_company_industry, vertical, kernel_who_persona, persona_type,
                          enrichment_company_employees)
    VALUES (r.id, ws, r.v -> 'contact' ->> 'enrichment_company_industry', r.v -> 'contact' ->> 'vertical',
            r.v -> 'contact' ->> 'kernel_who_persona', r.v -> 'contact' ->> 'persona_type',
            (r.v -> 'contact' ->> 'enrichment_company_employees')::integer);
  END LOOP;

  FOR r IN SELECT * FROM icp_case ORDER BY n LOOP
    icp := (SELECT fx.icp -> 'icps' -> (r.v ->> 'icp') FROM fx);
    -- row overload, criteria as a parameter
    SELECT calculate_icp_match(c, icp -> 'criteria', icp -> 'scoring_weights') INTO got FROM contacts c WHERE c.id = r.id;
    PERFORM pg_temp.check(got::text, r.v ->> 'score', format('icp case %s (row, param)', r.n));
    -- row overload, criteria as constants (the folded, inlined plan)
    EXECUTE format('SELECT calculate_icp_match(c, %L::jsonb, %L::jsonb) FROM contacts c WHERE c.id = %L',
                   icp -> 'criteria', icp -> 'scoring_weights', r.id) INTO got;
    PERFORM pg_temp.check(got::text, r.v ->> 'score', format('icp case %s (row, constants)', r.n));
    -- uuid overload
    PERFORM pg_temp.check(calculate_icp_match(r.id, icp -> 'criteria', icp -> 'scoring_weights')::text,
                          r.v ->> 'score', format('icp case %s (uuid)', r.n));
    -- the breakdown's matched flags, through the scorer's own matchers
    prep := latticeiq_icp_prepare(icp -> 'criteria', icp -> 'scoring_weights');
    PERFORM pg_temp.check(
      (SELECT jsonb_strip_nulls(jsonb_build_object(
         'industry', CASE WHEN prep ? 'industry' THEN
           latticeiq_icp_text_matches(coalesce(nullif(c.enrichment_company_industry, ''), c.vertical), prep -> 'industry') END,
         'persona', CASE WHEN prep ? 'persona' THEN
           latticeiq_icp_text_matches(coalesce(nullif(c.kernel_who_persona, ''), c.persona_type), prep -> 'persona') END,
         'company_size', CASE WHEN prep ? 'size' THEN
           coalesce(c.enrichment_company_employees >= coalesce((prep -> 'size' ->> 'min')::bigint, 0)
                    AND c.enrichment_company_employees <= coalesce((prep -> 'size' ->> 'max')::bigint, c.enrichment_company_employees), false) END
       ))::text FROM contacts c WHERE c.id = r.id),
      (r.v -> 'matched')::text, format('icp case %s matched', r.n));
  END LOOP;

  PERFORM pg_temp.check(calculate_icp_match(gen_random_uuid(), '{"industries": ["Finance"]}', NULL)::text, NULL,
                        'calculate_icp_match of a missing contact');
END
$$;

-- Weights and criteria edge cases
DO $$
DECLARE
  ws constant uuid := 'aaaaaaaa-0000-0000-0000-000000000001';
  cid uuid;
  r record;
BEGIN
  INSERT INTO contacts (workspace_id, enrichment_company_industry, kernel_who_persona, enrichment_company_employees)
  VALUES (ws, 'Finance', 'Plumber', 100) RETURNING id INTO cid;
  FOR r IN SELECT * FROM (VALUES
    ('{"industries": ["Finance"], "personas": ["CEO"]}', NULL, 42),                       -- default 30/40/30: 30/70
    ('{"industries": ["Finance"], "personas": ["CEO"]}', 'null', 42),
    ('{"industries": ["Finance"], "personas": ["CEO"]}', '{"industry_weight": 50, "persona_weight": 50, "company_size_weight": 0}', 50),
    ('{"industries": ["Finance"], "personas": ["CEO"]}', '{"industry_weight": 0, "persona_weight": 0, "company_size_weight": 100}', 0),
    ('{"industries": ["Finance"], "min_company_size": 100, "max_company_size": "1,000+"}', NULL, 100),
    ('{"min_company_size": 101}', NULL, 0),
    ('{"max_company_size": 100}', NULL, 100),
    ('{"industries": [], "personas": [], "min_company_size": null, "max_company_size": null}', NULL, 0),
    ('{"industries": ["&"]}', NULL, 0),
    ('{"industries": ["&", "finance"]}', NULL, 100),
    ('{"industries": "Finance"}', NULL, 0),
    ('{"personas": ["Plumber", "CEO"], "industries": ["Retail"]}', NULL, 57),
    ('{}', NULL, 0)) AS t(criteria, weights, expected)
  LOOP
    PERFORM pg_temp.check(calculate_icp_match(cid, r.criteria::jsonb, r.weights::jsonb)::text, r.expected::text,
                          format('icp %s / %s', r.criteria, r.weights));
  END LOOP;
  -- an employee count of NULL never matches a size bound
  UPDATE contacts SET enrichment_company_employees = NULL WHERE id = cid;
  PERFORM pg_temp.check(calculate_icp_match(cid, '{"max_company_size": 100}', NULL)::text, '0', 'icp size with NULL employees');
END
$$;

-- The fast scorer against a direct reading of §6.3 on generated contacts.
CREATE FUNCTION pg_temp.reference_score(industry text, persona text, employees integer, criteria jsonb, weights jsonb)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  roles constant text[] := ARRAY['executive', 'manager', 'director', 'vp', 'president',
                                 'ceo', 'cfo', 'cto', 'coo', 'founder', 'owner', 'decision'];
  w jsonb := coalesce(nullif(weights, 'null'), '{"industry_weight": 30, "persona_weight": 40, "company_size_weight": 30}');
  lo bigint := latticeiq_parse_size_bound(criteria -> 'min_company_size');
  hi bigint := latticeiq_parse_size_bound(criteria -> 'max_company_size');
  total integer := 0;
  got integer := 0;
  cw text[];
BEGIN
  IF jsonb_typeof(criteria -> 'industries') = 'array' AND jsonb_array_length(criteria -> 'industries') > 0 THEN
    total := total + (w ->> 'industry_weight')::integer;
    cw := latticeiq_words(industry);
    IF EXISTS (SELECT 1 FROM jsonb_array_elements_text(criteria -> 'industries') p
               WHERE latticeiq_phrase_matches(cw, latticeiq_words(p))) THEN
      got := got + (w ->> 'industry_weight')::integer;
    END IF;
  END IF;
  IF jsonb_typeof(criteria -> 'personas') = 'array' AND jsonb_array_length(criteria -> 'personas') > 0 THEN
    total := total + (w ->> 'persona_weight')::integer;
    cw := latticeiq_words(persona);
    IF EXISTS (SELECT 1 FROM jsonb_array_elements_text(criteria -> 'personas') p
               WHERE latticeiq_phrase_matches(cw, latticeiq_words(p))
                  OR EXISTS (SELECT 1 FROM unnest(latticeiq_words(p)) x WHERE x = ANY (roles) AND x = ANY (cw))) THEN
      got := got + (w ->> 'persona_weight')::integer;
    END IF;
  END IF;
  IF lo IS NOT NULL OR hi IS NOT NULL THEN
    total := total + (w ->> 'company_size_weight')::integer;
    IF employees >= coalesce(lo, employees) AND employees <= coalesce(hi, employees) THEN
      got := got + (w ->> 'company_size_weight')::integer;
    END IF;
  END IF;
  RETURN CASE WHEN total = 0 THEN 0 ELSE 100 * got / total END;
END
$$;

DO $$
DECLARE
  ws constant uuid := 'aaaaaaaa-0000-0000-0000-000000000002';
  crit jsonb;
  bad text;
  n bigint;
BEGIN
  INSERT INTO contacts (workspace_id, enrichment_company_industry, vertical, kernel_who_persona, persona_type,
                        enrichment_company_employees)
  SELECT ws, i, v, p, pt, e
  FROM unnest(ARRAY['Technology & Software', 'Software', 'Software Development', 'Financial Services', 'Finance',
                    'IT', 'it services', 'A', 'a b', 'b c', 'c', 'x a b y', 'HR Tech', 'Food & Beverage', '', '&&',
                    'SaaS', 'B2B', 'Information Technology', 'Café Ñ', 'café', 'ai', 'Big Ops Team', NULL]) AS i,
       unnest(ARRAY['SaaS', NULL]) AS v,
       unnest(ARRAY['Decision-maker', 'VP of Sales', 'MVP Engineer', 'Chief Executive Officer', 'owner_operator',
                    'Head of Nursing', 'Director', 'c-suite', 'C', 'vp', 'Senior VP', 'Co-Founder', '', NULL,
                    'decision maker', 'Sr. Manager']) AS p,
       unnest(ARRAY['Executive', NULL]) AS pt,
       unnest(ARRAY[NULL, 0, 50, 201]) AS e;
  FOREACH crit IN ARRAY ARRAY[
    '{"industries": ["Technology & Software", "Finance", "SaaS"], "personas": ["Decision-maker", "Executive", "VP"], "min_company_size": "50+"}',
    '{"industries": ["IT", "a b c", "HR"], "personas": ["C-Suite", "vp sales", "x y"], "max_company_size": 200}',
    '{"industries": ["Information Technology Services"], "personas": ["Owner Operator", "Chief"]}',
    '{"industries": ["café ñ"], "personas": ["cto"], "min_company_size": 0, "max_company_size": 0}',
    '{"industries": ["x a b y q r s t u v w z a1 b1 c1 d1 e1 f1 g1 h1 i1 j1 k1 l1 m1 n1 o1 p1 q1 r1 s1 t1 u1 v1 w1 x1 y1 z1 a2 b2", "b c"]}',
    '{"personas": ["&"], "industries": ["Finance"]}',
    '{"industries": ["B2B Software", "Ops Hub"], "personas": ["Senior VP", "Founder & CEO"], "min_company_size": 50, "max_company_size": 50}']::jsonb[]
  LOOP
    SELECT count(*), string_agg(format('%s/%s/%s/%s/%s', c.enrichment_company_industry, c.vertical, c.kernel_who_persona,
                                      c.persona_type, c.enrichment_company_employees), '; ')
      INTO n, bad
    FROM contacts c
    WHERE c.workspace_id = ws
      AND calculate_icp_match(c, crit, NULL) IS DISTINCT FROM
          pg_temp.reference_score(coalesce(nullif(c.enrichment_company_industry, ''), c.vertical),
                                  coalesce(nullif(c.kernel_who_persona, ''), c.persona_type),
                                  c.enrichment_company_employees, crit, NULL);
    IF n > 0 THEN
      RAISE EXCEPTION 'FAIL scorer differs from the reference for % on % contacts: %', crit, n, left(bad, 500);
    END IF;
    -- the constant-folded plan too
    EXECUTE format($q$SELECT count(*) FROM contacts c WHERE c.workspace_id = %L AND calculate_icp_match(c, %L::jsonb, NULL)
                      IS DISTINCT FROM pg_temp.reference_score(coalesce(nullif(c.enrichment_company_industry, ''), c.vertical),
                        coalesce(nullif(c.kernel_who_persona, ''), c.persona_type), c.enrichment_company_employees, %L::jsonb, NULL)$q$,
                   ws, crit, crit) INTO n;
    IF n > 0 THEN
      RAISE EXCEPTION 'FAIL folded scorer differs from the reference for % on % contacts', crit, n;
    END IF;
  END LOOP;
  -- the long short-word ICP takes the strpos fallback; make sure it was exercised
  IF latticeiq_icp_prepare(('{"industries": ["' || repeat('a ', 40) || '"]}')::jsonb, NULL) -> 'industry' ->> 'hay' IS NULL THEN
    RAISE EXCEPTION 'FAIL expected the haystack fallback for many short-word runs';
  END IF;
END
$$;

------------------------------------------------------------------------------
-- Enrichment vectors: latticeiq_derived and get_contact_field
------------------------------------------------------------------------------
DO $$
DECLARE
  ws constant uuid := 'aaaaaaaa-0000-0000-0000-000000000003';
  derived_columns constant text[] := ARRAY[
    'enrichment_company_name', 'enrichment_company_industry', 'enrichment_company_revenue',
    'enrichment_company_employees', 'enrichment_company_growth_yoy', 'enrichment_person_title',
    'enrichment_person_background', 'kernel_who_persona', 'kernel_who_influence', 'kernel_when_urgency',
    'kernel_when_timing_signal', 'kernel_what_hook'];
  aliases constant text[][] := ARRAY[
    ['company_name', 'enrichment_company_name'], ['industry', 'enrichment_company_industry'],
    ['company_industry', 'enrichment_company_industry'], ['company_revenue', 'enrichment_company_revenue'],
    ['company_employees', 'enrichment_company_employees'], ['company_growth', 'enrichment_company_growth_yoy'],
    ['person_title', 'enrichment_person_title'], ['title', 'enrichment_person_title'],
    ['person_background', 'enrichment_person_background'], ['persona', 'kernel_who_persona'],
    ['influence', 'kernel_who_influence'], ['urgency', 'kernel_when_urgency'],
    ['timing_signal', 'kernel_when_timing_signal'], ['hook', 'kernel_what_hook']];
  f record;
  col text;
  d text;
  expected text;
  existing text;
  fresh contacts;
  backfilled contacts;
  quality integer;
  k integer;
  shared integer := 0;
BEGIN
  FOR f IN SELECT key AS name, value AS v FROM fx, jsonb_each(fx.enrichment) ORDER BY key LOOP
    FOR col IN SELECT jsonb_object_keys(f.v -> 'expected') LOOP
      IF col <> ALL (derived_columns || 'enrichment_data_quality_score'::text) THEN
        RAISE EXCEPTION 'FAIL %: unexpected column %', f.name, col;
      END IF;
    END LOOP;
    -- a contact whose derived columns are NULL, and one after the backfill
    INSERT INTO contacts (workspace_id, enrichment_data, kernel_analysis)
    VALUES (ws, f.v -> 'enrichment_data', f.v -> 'kernel_analysis')
    RETURNING * INTO fresh;
    INSERT INTO contacts (workspace_id, enrichment_data, kernel_analysis, enrichment_company_name,
      enrichment_company_industry, enrichment_company_revenue, enrichment_company_employees,
      enrichment_company_growth_yoy, enrichment_person_title, enrichment_person_background, kernel_who_persona,
      kernel_who_influence, kernel_when_urgency, kernel_when_timing_signal, kernel_what_hook,
      enrichment_data_quality_score)
    SELECT ws, f.v -> 'enrichment_data', f.v -> 'kernel_analysis', e.enrichment_company_name,
      e.enrichment_company_industry, e.enrichment_company_revenue, e.enrichment_company_employees,
      e.enrichment_company_growth_yoy, e.enrichment_person_title, e.enrichment_person_background, e.kernel_who_persona,
      e.kernel_who_influence, e.kernel_when_urgency, e.kernel_when_timing_signal, e.kernel_what_hook,
      e.enrichment_data_quality_score
    FROM jsonb_populate_record(NULL::contacts, f.v -> 'expected') e
    RETURNING * INTO backfilled;

    quality := 0;
    FOREACH col IN ARRAY derived_columns LOOP
      d := latticeiq_derived(col, f.v -> 'enrichment_data', f.v -> 'kernel_analysis');
      expected := f.v -> 'expected' ->> col;
      existing := f.v -> 'existing' ->> col;
      -- numbers compare by value (an expected 0.0 is a growth of 0)
      IF col IN ('enrichment_company_revenue', 'enrichment_company_employees', 'enrichment_company_growth_yoy') THEN
        IF expected IS NOT NULL THEN expected := expected::float8::text; END IF;
        IF existing IS NOT NULL THEN existing := existing::float8::text; END IF;
      END IF;
      -- the backfill of §6.2: the derived value, else the existing one
      PERFORM pg_temp.check(coalesce(d, existing), expected, format('%s: latticeiq_derived(%s)', f.name, col));
      -- §6.1 step 4: a NULL column reads its JSON sources
      PERFORM pg_temp.check(get_contact_field(fresh, col), d, format('%s: get_contact_field(fresh, %s)', f.name, col));
      -- step 1: the backfilled column
      PERFORM pg_temp.check(get_contact_field(backfilled, col), expected, format('%s: get_contact_field(backfilled, %s)', f.name, col));
      IF expected IS NOT NULL THEN
        quality := quality + CASE col
          WHEN 'enrichment_company_name' THEN 20 WHEN 'enrichment_company_revenue' THEN 20
          WHEN 'enrichment_company_industry' THEN 15 WHEN 'enrichment_person_title' THEN 15
          WHEN 'enrichment_person_background' THEN 15 WHEN 'enrichment_company_growth_yoy' THEN 15 ELSE 0 END;
      END IF;
    END LOOP;
    PERFORM pg_temp.check(quality::text, f.v -> 'expected' ->> 'enrichment_data_quality_score', format('%s: quality', f.name));
    FOR k IN 1 .. array_length(aliases, 1) LOOP
      PERFORM pg_temp.check(get_contact_field(fresh, aliases[k][1]),
                            latticeiq_derived(aliases[k][2], f.v -> 'enrichment_data', f.v -> 'kernel_analysis'),
                            format('%s: get_contact_field(fresh, %s)', f.name, aliases[k][1]));
      PERFORM pg_temp.check(get_contact_field(backfilled, aliases[k][1]),
                            get_contact_field(backfilled, aliases[k][2]),
                            format('%s: get_contact_field(backfilled, %s)', f.name, aliases[k][1]));
    END LOOP;
    IF starts_with(f.name, (SELECT fixtures_dir FROM fx) || '/enrichment/') THEN shared := shared + 1; END IF;
  END LOOP;
  IF shared < 8 THEN
    RAISE EXCEPTION 'FAIL expected at least 8 shared enrichment vectors, found %', shared;
  END IF;
  -- the order of sources when several are present
  PERFORM pg_temp.check(latticeiq_derived('enrichment_company_name',
    '{"company": {"name": "A"}, "synthesized": {"company_data": {"name": "B"}}, "company_name": "C"}', NULL), 'A', 'derived order name');
  PERFORM pg_temp.check(latticeiq_derived('enrichment_company_name',
    '{"synthesized": {"company_data": {"name": "B"}}, "company_name": "C"}', NULL), 'B', 'derived order name 2');
  PERFORM pg_temp.check(latticeiq_derived('enrichment_company_industry',
    '{"industry": "I", "vertical": "V", "quick_enrich": {"industry": "QI", "vertical": "QV"}}', NULL), 'I', 'derived order industry');
  PERFORM pg_temp.check(latticeiq_derived('enrichment_company_industry',
    '{"quick_enrich": {"industry": "QI", "vertical": "QV"}}', NULL), 'QI', 'derived order industry 2');
  PERFORM pg_temp.check(latticeiq_derived('enrichment_company_employees',
    '{"company": {"employees": "self-employed"}, "employees": "12", "company_size": "50-200"}', NULL), '12', 'derived order employees');
  PERFORM pg_temp.check(latticeiq_derived('enrichment_company_growth_yoy',
    '{"company": {"growth_yoy": "lots"}, "growth_yoy": 0}', NULL), '0', 'derived growth 0 is a value');
  PERFORM pg_temp.check(latticeiq_derived('enrichment_person_title',
    '{"inferred_title": "T1", "quick_enrich": {"inferred_title": "T2"}, "job_title": "T3"}', NULL), 'T1', 'derived order title');
  PERFORM pg_temp.check(latticeiq_derived('enrichment_person_background',
    '{"synthesized": {"profile_summary": "P"}, "summary": "S"}', NULL), 'P', 'derived order background');
  PERFORM pg_temp.check(latticeiq_derived('kernel_who_persona',
    '{"persona_type": "Champion"}', '{"who": {"persona_type": "CFO", "persona": "Manager"}}'), 'CFO', 'kernel long spelling first');
  PERFORM pg_temp.check(latticeiq_derived('kernel_who_persona', '{"persona_type": "Champion"}', 'null'), 'Champion', 'kernel null');
  PERFORM pg_temp.check(latticeiq_derived('kernel_who_influence', '{}', '{"who": {"influence_level": "high", "influence": "low"}}'),
                        'high', 'kernel influence long first');
  PERFORM pg_temp.check(latticeiq_derived('kernel_when_urgency', '{}', '{"when": {"urgency_level": "high", "urgency": "low"}}'),
                        'high', 'kernel urgency long first');
  PERFORM pg_temp.check(latticeiq_derived('kernel_what_hook', '{"opening_line": "O"}', '{"what": {"opening_hook": "Long", "hook": "Short"}}'),
                        'Long', 'kernel hook long first');
  PERFORM pg_temp.check(latticeiq_derived('kernel_what_hook', '{"synthesized": {"opening_line": "SO", "hook_angle": "HA"}}', NULL),
                        'SO', 'derived order hook');
  PERFORM pg_temp.check(latticeiq_derived('kernel_what_hook', '{"synthesized": {"hook_angle": "HA"}}', NULL), 'HA', 'derived hook angle');
  PERFORM pg_temp.check(latticeiq_derived('first_name', '{"first_name": "Ana"}', NULL), NULL, 'derived of a non-derived column');
  PERFORM pg_temp.check(latticeiq_derived('enrichment_company_name', '"text"', '[1]'), NULL, 'derived from a non-object');
END
$$;

------------------------------------------------------------------------------
-- get_contact_field (§6.1): names, order, rendering, definitions, errors
------------------------------------------------------------------------------
DO $$
DECLARE
  ws constant uuid := 'aaaaaaaa-0000-0000-0000-000000000004';
  other constant uuid := 'aaaaaaaa-0000-0000-0000-000000000005';
  c contacts;
  e contacts;
  col text;
  r record;
  msg text;
  state text;
BEGIN
  SET LOCAL TimeZone = 'America/New_York';
  INSERT INTO contact_field_definitions (workspace_id, field_name, display_name, jsonb_path) VALUES
    (ws, 'talking_points', 'Talking points', 'quick_enrich.talking_points'),
    (ws, 'first_point', 'First point', 'quick_enrich.talking_points.0'),
    (ws, 'last_point', 'Last point', 'quick_enrich.talking_points.-1'),
    (ws, 'website_field', 'Website', 'quick_enrich.inferred_company_website'),
    (ws, 'empty_text', 'Empty', 'quick_enrich.blank'),
    (ws, 'no_points', 'None', 'quick_enrich.no_points'),
    (ws, 'zero', 'Zero', 'quick_enrich.zero'),
    (ws, 'flag', 'Flag', 'quick_enrich.flag'),
    (ws, 'obj', 'Object', 'quick_enrich.obj'),
    (ws, 'missing_path', 'Missing', 'nowhere.at.all'),
    (other, 'other_only', 'Other', 'quick_enrich.zero');
  INSERT INTO contacts (workspace_id, user_id, email, first_name, last_name, company, job_title, phone, vertical,
    persona_type, annual_revenue, enrichment_status, enrichment_data, kernel_analysis, enriched_at, created_at,
    enrichment_company_growth_yoy, enrichment_data_quality_score, tags, icp_match_score, assigned_product,
    product_match, notes, enrichment_company_employees)
  VALUES (ws, 'bbbbbbbb-0000-0000-0000-000000000001', 'ana@example.com', 'Ana', 'Lima', 'Acme', 'CFO', '', 'Retail',
    'Champion', 0, 'completed',
    '{"quick_enrich": {"talking_points": ["Branch expansion", "SBA lending", 3, {"a": 1}], "inferred_company_website": null,
      "blank": "", "no_points": [], "zero": 0, "flag": false, "obj": {"k": "v"}, "summary": "Runs treasury."},
      "company": {"name": "JSON Co"}}',
    '{"who": {"persona": "Manager"}}', '2025-12-31 18:22:05.123456+00', '2025-01-02 03:04:05+00',
    0.18, 70, ARRAY['vip', 'q3'], 0, NULL, '[]', 'note', 340)
  RETURNING * INTO c;

  -- every column of contacts but workspace_id is a name
  FOR col IN SELECT attname FROM pg_attribute
             WHERE attrelid = 'contacts'::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'workspace_id' LOOP
    PERFORM get_contact_field(c, col);
    PERFORM pg_temp.check(latticeiq_field_columns(col)::text, ARRAY[col]::text, 'field_columns ' || col);
  END LOOP;

  FOR r IN SELECT * FROM (VALUES
    ('id', c.id::text), ('user_id', 'bbbbbbbb-0000-0000-0000-000000000001'), ('email', 'ana@example.com'),
    ('phone', NULL), ('annual_revenue', '0'), ('enrichment_status', 'completed'),
    ('kernel_analysis', '{"who": {"persona": "Manager"}}'),
    ('enriched_at', '2025-12-31T18:22:05.123456Z'), ('created_at', '2025-01-02T03:04:05.000000Z'),
    ('enrichment_last_enriched_at', NULL), ('enrichment_company_growth_yoy', '0.18'),
    ('enrichment_data_quality_score', '70'), ('quality_score', '70'), ('tags', 'vip, q3'), ('icp_match_score', '0'),
    ('icp_score', '0'), ('product', NULL), ('assigned_product', NULL), ('product_match', NULL), ('notes', 'note'),
    ('company_employees', '340'), ('icp_id', NULL),
    -- aliases: the enrichment column first, then the base column
    -- step 2 (the company column) comes before step 4 (enrichment_data's company.name)
    ('company_name', 'Acme'),
    ('industry', 'Retail'), ('company_industry', 'Retail'), ('title', 'CFO'), ('person_title', 'CFO'),
    ('persona', 'Champion'), ('person_background', 'Runs treasury.'), ('enrichment_company_name', 'JSON Co'),
    ('kernel_who_persona', 'Manager'), ('full_name', 'Ana Lima'),
    -- field definitions
    ('talking_points', 'Branch expansion, SBA lending, 3, {"a": 1}'), ('first_point', 'Branch expansion'),
    ('last_point', '{"a": 1}'), ('website_field', NULL), ('empty_text', NULL), ('no_points', NULL), ('zero', '0'),
    ('flag', 'false'), ('obj', '{"k": "v"}'), ('missing_path', NULL)) AS t(name, expected)
  LOOP
    PERFORM pg_temp.check(get_contact_field(c, r.name), r.expected, 'get_contact_field ' || r.name);
  END LOOP;

  -- an empty enrichment column falls back to the base column, '' counts as empty
  UPDATE contacts SET enrichment_company_industry = '', enrichment_person_title = 'Treasurer', kernel_who_persona = '',
    first_name = NULL, last_name = ' Lima ', tags = '{}', enrichment_data = '[]', kernel_analysis = 'null',
    company = '', enriched_at = NULL
  WHERE id = c.id RETURNING * INTO c;
  FOR r IN SELECT * FROM (VALUES
    ('industry', 'Retail'), ('title', 'Treasurer'), ('persona', 'Champion'), ('full_name', 'Lima'), ('tags', NULL),
    ('enrichment_data', NULL), ('kernel_analysis', NULL), ('company_name', NULL), ('enriched_at', NULL),
    ('talking_points', NULL), ('kernel_who_persona', NULL)) AS t(name, expected)
  LOOP
    PERFORM pg_temp.check(get_contact_field(c, r.name), r.expected, 'get_contact_field (emptied) ' || r.name);
  END LOOP;
  UPDATE contacts SET first_name = NULL, last_name = NULL WHERE id = c.id RETURNING * INTO c;
  PERFORM pg_temp.check(get_contact_field(c, 'full_name'), NULL, 'full_name of nothing');

  -- unknown names: workspace_id, another workspace's definition, typos
  FOREACH col IN ARRAY ARRAY['workspace_id', 'other_only', 'nope', 'Email', ''] LOOP
    BEGIN
      PERFORM get_contact_field(c, col);
      RAISE EXCEPTION 'FAIL get_contact_field(%) did not raise', col;
    EXCEPTION WHEN invalid_parameter_value THEN
      GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, state = RETURNED_SQLSTATE;
      PERFORM pg_temp.check(msg, 'unknown field: ' || col, 'unknown field message');
      PERFORM pg_temp.check(state, '22023', 'unknown field SQLSTATE');
    END;
  END LOOP;
  BEGIN
    PERFORM get_contact_field(c, NULL);
    RAISE EXCEPTION 'FAIL get_contact_field(NULL) did not raise';
  EXCEPTION WHEN invalid_parameter_value THEN NULL;
  END;

  -- a growth keeps its shortest round-trip text
  UPDATE contacts SET enrichment_company_growth_yoy = 0.1::float8 + 0.2::float8 WHERE id = c.id RETURNING * INTO c;
  PERFORM pg_temp.check(get_contact_field(c, 'company_growth'), '0.30000000000000004', 'growth text');
END
$$;

------------------------------------------------------------------------------
-- get_workspace_stats
------------------------------------------------------------------------------
DO $$
DECLARE
  ws constant uuid := 'aaaaaaaa-0000-0000-0000-000000000006';
  s record;
BEGIN
  INSERT INTO contacts (workspace_id, enrichment_data_quality_score, kernel_who_persona, persona_type) VALUES
    (ws, 100, 'Decision-maker', NULL), (ws, 60, '', 'Co-Founder'), (ws, 59, 'owner_operator', 'Manager'),
    (ws, 0, 'Manager', 'Owner'), (ws, 80, NULL, NULL), (ws, 1, 'Decisions', NULL);
  INSERT INTO contacts (workspace_id, enrichment_data_quality_score, kernel_who_persona)
  VALUES ('aaaaaaaa-0000-0000-0000-000000000007', 100, 'Owner');
  INSERT INTO campaigns (workspace_id, name, status) VALUES
    (ws, 'a', 'active'), (ws, 'b', 'active'), (ws, 'c', 'draft'), ('aaaaaaaa-0000-0000-0000-000000000007', 'd', 'active');
  INSERT INTO email_templates (workspace_id, name, subject, body) VALUES (ws, 'e1', 's', 'b'), (ws, 'e2', 's', 'b');
  INSERT INTO call_templates (workspace_id, name, body) VALUES (ws, 'c1', 'b'),
    ('aaaaaaaa-0000-0000-0000-000000000007', 'c2', 'b');
  SELECT * INTO s FROM get_workspace_stats(ws);
  PERFORM pg_temp.check(concat_ws(',', s.total_contacts, s.enriched_contacts, s.decision_makers, s.active_campaigns,
                                  s.total_templates, s.avg_quality_score), '6,3,3,2,3,50', 'get_workspace_stats');
  SELECT * INTO s FROM get_workspace_stats('aaaaaaaa-0000-0000-0000-0000000000ff');
  PERFORM pg_temp.check(concat_ws(',', s.total_contacts, s.enriched_contacts, s.decision_makers, s.active_campaigns,
                                  s.total_templates, s.avg_quality_score), '0,0,0,0,0,0', 'get_workspace_stats of an empty workspace');
  INSERT INTO contacts (workspace_id, enrichment_data_quality_score) VALUES (ws, 1);
  SELECT * INTO s FROM get_workspace_stats(ws);
  PERFORM pg_temp.check(s.avg_quality_score::text, '43', 'avg 301/7 = 43.0 rounded to 2 places');
  INSERT INTO contacts (workspace_id, enrichment_data_quality_score) VALUES (ws, 0);
  SELECT * INTO s FROM get_workspace_stats(ws);
  PERFORM pg_temp.check(s.avg_quality_score::text, '37.63', 'avg 301/8 rounded to 2 places');
END
$$;

------------------------------------------------------------------------------
-- As the RLS role: EXECUTE is granted, RLS applies inside the functions
------------------------------------------------------------------------------
DO $$
DECLARE
  ws constant uuid := 'aaaaaaaa-0000-0000-0000-000000000008';
  mine uuid;
  theirs uuid;
  c contacts;
BEGIN
  INSERT INTO contacts (workspace_id, enrichment_company_industry) VALUES (ws, 'Finance') RETURNING id INTO mine;
  INSERT INTO contacts (workspace_id, enrichment_company_industry) VALUES ('aaaaaaaa-0000-0000-0000-000000000009', 'Finance')
  RETURNING id INTO theirs;
  INSERT INTO contact_field_definitions (workspace_id, field_name, display_name, jsonb_path)
  VALUES ('aaaaaaaa-0000-0000-0000-000000000009', 'theirs_only', 'x', 'a');
  SELECT * INTO c FROM contacts WHERE id = theirs;
  PERFORM set_config('request.jwt.claims', json_build_object('workspace_id', ws)::text, true);
  EXECUTE format('SET LOCAL ROLE %I', (SELECT rls_role FROM fx));
  PERFORM pg_temp.check(calculate_icp_match(mine, '{"industries": ["Finance"]}', NULL)::text, '100', 'RLS: own contact');
  PERFORM pg_temp.check(calculate_icp_match(theirs, '{"industries": ["Finance"]}', NULL)::text, NULL, 'RLS: other workspace');
  PERFORM pg_temp.check((SELECT total_contacts FROM get_workspace_stats('aaaaaaaa-0000-0000-0000-000000000009'))::text, '0',
                        'RLS: stats of another workspace');
  PERFORM pg_temp.check((SELECT total_contacts FROM get_workspace_stats(ws))::text, '1', 'RLS: own stats');
  PERFORM pg_temp.check(latticeiq_parse_revenue('"$12.5M"')::text, '12500000', 'RLS role executes helpers');
  -- a row from elsewhere: its workspace's definitions are invisible, so the name is unknown
  BEGIN
    PERFORM get_contact_field(c, 'theirs_only');
    RAISE EXCEPTION 'FAIL RLS: another workspace''s field definition was visible';
  EXCEPTION WHEN invalid_parameter_value THEN NULL;
  END;
  RESET ROLE;
  PERFORM pg_temp.check(get_contact_field(c, 'theirs_only'), NULL, 'superuser sees the definition');
END
$$;

------------------------------------------------------------------------------
-- Every function of the migration is granted to the RLS role
------------------------------------------------------------------------------
DO $$
DECLARE missing text;
BEGIN
  SELECT string_agg(p.oid::regprocedure::text, ', ') INTO missing
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname = 'public'
    AND p.proname IN ('latticeiq_text', 'latticeiq_json_field_text', 'latticeiq_parse_employees', 'latticeiq_parse_revenue',
                      'latticeiq_parse_growth', 'latticeiq_parse_size_bound', 'latticeiq_derived', 'latticeiq_contact_column',
                      'latticeiq_field_columns', 'get_contact_field', 'latticeiq_phrase_matches', 'latticeiq_word_string',
                      'latticeiq_icp_prepare_list', 'latticeiq_icp_weight', 'latticeiq_icp_prepare',
                      'latticeiq_icp_text_matches', 'latticeiq_icp_score', 'calculate_icp_match', 'get_workspace_stats')
    -- an explicit grant (PUBLIC's default EXECUTE would make has_function_privilege pass anyway)
    AND NOT EXISTS (SELECT 1 FROM aclexplode(p.proacl) a
                    WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = (SELECT rls_role FROM fx))
                      AND a.privilege_type = 'EXECUTE');
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'FAIL not executable by the RLS role: %', missing;
  END IF;
  IF (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'public' AND p.prosecdef
        AND (p.proname LIKE 'latticeiq%' OR p.proname IN ('get_contact_field', 'calculate_icp_match', 'get_workspace_stats'))) > 0 THEN
    RAISE EXCEPTION 'FAIL a function is SECURITY DEFINER';
  END IF;
END
$$;

ROLLBACK;
\echo 'pg_0005_functions_test: all assertions passed'
