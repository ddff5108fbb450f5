DROP INDEX IF EXISTS idx_contacts_icp_matching;
CREATE INDEX IF NOT EXISTS idx_contacts_icp_matching
  ON contacts (workspace_id, enrichment_company_industry, kernel_who_persona, enrichment_data_quality_score);
DROP FUNCTION IF EXISTS latticeiq_search_ids(tsquery);
DROP FUNCTION IF EXISTS latticeiq_tagged_ids(text[], boolean);
DROP TRIGGER IF EXISTS contacts_count_insert ON contacts;
DROP TRIGGER IF EXISTS contacts_count_delete ON contacts;
DROP TRIGGER IF EXISTS contacts_count_truncate ON contacts;
DROP TRIGGER IF EXISTS contacts_workspace_fixed ON contacts;
DROP FUNCTION IF EXISTS latticeiq_contacts_inserted();
DROP FUNCTION IF EXISTS latticeiq_contacts_deleted();
DROP FUNCTION IF EXISTS latticeiq_contacts_truncated();
DROP FUNCTION IF EXISTS latticeiq_contacts_workspace_fixed();
DROP TABLE IF EXISTS contact_counts;
