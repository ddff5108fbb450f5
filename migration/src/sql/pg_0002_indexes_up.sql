-- Postgres: the contact indexes of SPEC §5 — those of the design log plus one
-- per GraphQL sort (keyset pagination: workspace, sort key, id) and the GIN
-- indexes for search and tags. Text sort keys use COLLATE "C" because the API
-- orders text by code point on both backends.

-- The search document: words (SPEC §6) of names, e-mail and company, as a
-- tsvector built without the text-search parser (which would keep e-mails
-- and hyphenated words whole and depend on the database's locale).
CREATE OR REPLACE FUNCTION latticeiq_search_vector(first_name text, last_name text, email text, company text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_to_tsvector(latticeiq_words(concat_ws(' ', first_name, last_name, email, company)))
$$;

-- single-column (design log)
CREATE INDEX IF NOT EXISTS idx_contacts_icp_id ON contacts (icp_id);
CREATE INDEX IF NOT EXISTS idx_contacts_campaign_id ON contacts (campaign_id);
CREATE INDEX IF NOT EXISTS idx_contacts_enrichment_company ON contacts (enrichment_company_name);
CREATE INDEX IF NOT EXISTS idx_contacts_enrichment_industry ON contacts (enrichment_company_industry);
CREATE INDEX IF NOT EXISTS idx_contacts_enrichment_revenue ON contacts (enrichment_company_revenue);
CREATE INDEX IF NOT EXISTS idx_contacts_kernel_persona ON contacts (kernel_who_persona);
CREATE INDEX IF NOT EXISTS idx_contacts_kernel_urgency ON contacts (kernel_when_urgency);
CREATE INDEX IF NOT EXISTS idx_contacts_assigned_product ON contacts (assigned_product);
CREATE INDEX IF NOT EXISTS idx_contacts_source ON contacts (source);

-- composite, led by workspace_id (design log)
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_icp ON contacts (workspace_id, icp_id);
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_enrichment
  ON contacts (workspace_id, enrichment_data_quality_score, id);
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_persona ON contacts (workspace_id, kernel_who_persona);
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_product ON contacts (workspace_id, assigned_product);
CREATE INDEX IF NOT EXISTS idx_contacts_icp_matching
  ON contacts (workspace_id, enrichment_company_industry, kernel_who_persona, enrichment_data_quality_score);
CREATE INDEX IF NOT EXISTS idx_contacts_campaign_ready ON contacts (workspace_id, icp_id, campaign_id);
CREATE INDEX IF NOT EXISTS idx_contacts_high_value ON contacts (workspace_id, kernel_who_persona, icp_match_score);

-- full text and tags
-- Stored, so that a filter on it costs a lookup rather than re-splitting
-- four columns into words for every row the planner walks.
ALTER TABLE contacts ADD COLUMN IF NOT EXISTS search_vector tsvector
  GENERATED ALWAYS AS (latticeiq_search_vector(first_name, last_name, email, company)) STORED;
CREATE INDEX IF NOT EXISTS idx_contacts_search ON contacts USING gin (search_vector);
CREATE INDEX IF NOT EXISTS idx_contacts_tags ON contacts USING gin (tags);

-- one per sort field of ContactOrderBy, with id as the tie-breaker
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_created ON contacts (workspace_id, created_at, id);
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_updated ON contacts (workspace_id, updated_at, id);
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_last_name ON contacts (workspace_id, last_name COLLATE "C", id);
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_company ON contacts (workspace_id, company COLLATE "C", id);
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_icp_score ON contacts (workspace_id, icp_match_score, id);
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_revenue ON contacts (workspace_id, enrichment_company_revenue, id);
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_employees ON contacts (workspace_id, enrichment_company_employees, id);
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_email ON contacts (workspace_id, email);
