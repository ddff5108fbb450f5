-- Back to pg_0009: no search version, no walk.
DROP FUNCTION IF EXISTS latticeiq_search_walk(tsquery, boolean, timestamptz, uuid, integer);

CREATE OR REPLACE FUNCTION latticeiq_contacts_inserted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO contact_counts AS c (workspace_id, contacts)
    SELECT workspace_id, count(*) FROM latticeiq_new_rows GROUP BY workspace_id
  ON CONFLICT (workspace_id) DO UPDATE SET contacts = c.contacts + excluded.contacts;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION latticeiq_contacts_deleted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE contact_counts c SET contacts = c.contacts - d.n
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
  RETURN NULL;
END
$$;

ALTER TABLE contact_counts DROP COLUMN IF EXISTS search_version;
DROP SEQUENCE IF EXISTS latticeiq_search_versions;
