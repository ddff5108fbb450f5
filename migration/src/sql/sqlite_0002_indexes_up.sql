-- SQLite: indexes for the GraphQL filters and sorts, and the FTS5 search
-- index (prefix queries over names, e-mail and company; SPEC §7 `search`).
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_created ON contacts (workspace_id, created_at, id);
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_updated ON contacts (workspace_id, updated_at, id);
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_last_name ON contacts (workspace_id, last_name, id);
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_company ON contacts (workspace_id, company, id);
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_enrichment ON contacts (workspace_id, enrichment_data_quality_score, id);
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_icp_score ON contacts (workspace_id, icp_match_score, id);
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_revenue ON contacts (workspace_id, enrichment_company_revenue, id);
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_employees ON contacts (workspace_id, enrichment_company_employees, id);
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_icp ON contacts (workspace_id, icp_id);
CREATE INDEX IF NOT EXISTS idx_contacts_campaign_id ON contacts (campaign_id);
CREATE INDEX IF NOT EXISTS idx_contacts_icp_matching ON contacts (workspace_id, enrichment_company_industry, kernel_who_persona);
CREATE INDEX IF NOT EXISTS idx_contacts_workspace_email ON contacts (workspace_id, email);

CREATE VIRTUAL TABLE IF NOT EXISTS contacts_fts USING fts5(
  first_name, last_name, email, company,
  content = 'contacts', content_rowid = 'seq',
  tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER IF NOT EXISTS contacts_fts_insert AFTER INSERT ON contacts BEGIN
  INSERT INTO contacts_fts (rowid, first_name, last_name, email, company)
  VALUES (NEW.seq, NEW.first_name, NEW.last_name, NEW.email, NEW.company);
END;
CREATE TRIGGER IF NOT EXISTS contacts_fts_delete AFTER DELETE ON contacts BEGIN
  INSERT INTO contacts_fts (contacts_fts, rowid, first_name, last_name, email, company)
  VALUES ('delete', OLD.seq, OLD.first_name, OLD.last_name, OLD.email, OLD.company);
END;
CREATE TRIGGER IF NOT EXISTS contacts_fts_update AFTER UPDATE OF first_name, last_name, email, company ON contacts BEGIN
  INSERT INTO contacts_fts (contacts_fts, rowid, first_name, last_name, email, company)
  VALUES ('delete', OLD.seq, OLD.first_name, OLD.last_name, OLD.email, OLD.company);
  INSERT INTO contacts_fts (rowid, first_name, last_name, email, company)
  VALUES (NEW.seq, NEW.first_name, NEW.last_name, NEW.email, NEW.company);
END;
-- rows that existed before the index (migrating a populated database)
INSERT INTO contacts_fts (contacts_fts) VALUES ('rebuild');
