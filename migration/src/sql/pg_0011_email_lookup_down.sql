DROP FUNCTION IF EXISTS latticeiq_contact_ids_by_email(text[]);
