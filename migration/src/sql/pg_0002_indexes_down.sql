DROP INDEX IF EXISTS idx_contacts_icp_id, idx_contacts_campaign_id, idx_contacts_enrichment_company,
  idx_contacts_enrichment_industry, idx_contacts_enrichment_revenue, idx_contacts_kernel_persona,
  idx_contacts_kernel_urgency, idx_contacts_assigned_product, idx_contacts_source,
  idx_contacts_workspace_icp, idx_contacts_workspace_enrichment, idx_contacts_workspace_persona,
  idx_contacts_workspace_product, idx_contacts_icp_matching, idx_contacts_campaign_ready,
  idx_contacts_high_value, idx_contacts_search, idx_contacts_tags, idx_contacts_workspace_created,
  idx_contacts_workspace_updated, idx_contacts_workspace_last_name, idx_contacts_workspace_company,
  idx_contacts_workspace_icp_score, idx_contacts_workspace_revenue, idx_contacts_workspace_employees,
  idx_contacts_workspace_email;
ALTER TABLE IF EXISTS contacts DROP COLUMN IF EXISTS search_vector;
DROP FUNCTION IF EXISTS latticeiq_search_vector(text, text, text, text);
