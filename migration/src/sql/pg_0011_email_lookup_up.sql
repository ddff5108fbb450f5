-- Contacts by e-mail under RLS (Postgres only).
--
-- `createContact`/`updateContact` check that no other contact of the
-- workspace has the e-mail, and `importContacts` looks its rows up by
-- e-mail, both on `lower(email)`. Under RLS the planner may not use a
-- non-`LEAKPROOF` function such as `lower` in an index condition, so these
-- lookups read every contact of the workspace: ~1 s per `updateContact` at
-- 1 000 000 contacts. This owner-run function finds the ids through the
-- unique index on (workspace_id, lower(email)), with the policy's own
-- workspace test; the request's own statement then reads those contacts by
-- id, under RLS as always. The index, always: the function's statement is
-- planned without its keys, and a sequential scan would compare each row
-- with every key (an array parameter is not hashed like a literal list).
CREATE OR REPLACE FUNCTION latticeiq_contact_ids_by_email(keys text[]) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp SET enable_seqscan = off ROWS 10 AS $$
  SELECT id FROM contacts
   WHERE workspace_id = (SELECT (auth.jwt() ->> 'workspace_id')::uuid)
     AND lower(email) = ANY (keys)
     AND email IS NOT NULL
$$;
REVOKE ALL ON FUNCTION latticeiq_contact_ids_by_email(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION latticeiq_contact_ids_by_email(text[]) TO :rls_role;
