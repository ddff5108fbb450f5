-- SQLite: the same data model as Postgres (SPEC §5), for the embedded default.
-- UUIDs are 16-byte BLOBs (as sqlx binds them), JSON and tags are TEXT holding
-- JSON, timestamps are TEXT in the form sqlx writes them — RFC 3339 in UTC
-- with 0, 3 or 6 fractional digits, as few as the value needs — whose text
-- order is time order. Defaults and triggers write the same form.
-- Isolation is the application's job here: SQLite has no row-level security.

CREATE TABLE IF NOT EXISTS users_settings (
  id BLOB PRIMARY KEY NOT NULL,
  workspace_id BLOB NOT NULL UNIQUE,
  company_name TEXT CHECK (length(company_name) <= 200),
  industry TEXT CHECK (length(industry) <= 100),
  products TEXT NOT NULL DEFAULT '{}' CHECK (json_type(products) = 'object'),
  hubspot_api_key TEXT,
  openai_api_key TEXT,
  perplexity_api_key TEXT,
  default_email_template_id BLOB REFERENCES email_templates (id) ON DELETE SET NULL,
  default_call_template_id BLOB REFERENCES call_templates (id) ON DELETE SET NULL,
  created_at TEXT NOT NULL DEFAULT (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END),
  updated_at TEXT NOT NULL DEFAULT (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END)
);

CREATE TABLE IF NOT EXISTS ideal_client_profiles (
  id BLOB PRIMARY KEY NOT NULL,
  workspace_id BLOB NOT NULL,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  description TEXT CHECK (length(description) <= 500),
  criteria TEXT NOT NULL DEFAULT '{}' CHECK (json_type(criteria) = 'object'),
  scoring_weights TEXT NOT NULL DEFAULT '{"industry_weight":30,"persona_weight":40,"company_size_weight":30}',
  is_active INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL DEFAULT (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END),
  updated_at TEXT NOT NULL DEFAULT (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END),
  UNIQUE (workspace_id, name)
);

CREATE TABLE IF NOT EXISTS contact_field_definitions (
  id BLOB PRIMARY KEY NOT NULL,
  workspace_id BLOB NOT NULL,
  field_name TEXT NOT NULL CHECK (length(field_name) BETWEEN 1 AND 63 AND field_name NOT GLOB '*[^a-z0-9_]*' AND substr(field_name, 1, 1) BETWEEN 'a' AND 'z'),
  display_name TEXT NOT NULL CHECK (length(display_name) <= 100),
  field_type TEXT NOT NULL DEFAULT 'text'
    CHECK (field_type IN ('text', 'number', 'float', 'bigint', 'date', 'boolean', 'array')),
  source TEXT CHECK (length(source) <= 50),
  jsonb_path TEXT NOT NULL CHECK (length(jsonb_path) <= 200),
  is_searchable INTEGER NOT NULL DEFAULT 0,
  is_filterable INTEGER NOT NULL DEFAULT 0,
  is_displayable INTEGER NOT NULL DEFAULT 1,
  sort_priority INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END),
  updated_at TEXT NOT NULL DEFAULT (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END),
  UNIQUE (workspace_id, field_name)
);

CREATE TABLE IF NOT EXISTS email_templates (
  id BLOB PRIMARY KEY NOT NULL,
  workspace_id BLOB NOT NULL,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  subject TEXT NOT NULL CHECK (length(subject) <= 500),
  body TEXT NOT NULL CHECK (length(body) <= 20000),
  is_default INTEGER NOT NULL DEFAULT 0,
  variables TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL DEFAULT (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END),
  updated_at TEXT NOT NULL DEFAULT (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END)
);
CREATE UNIQUE INDEX IF NOT EXISTS email_templates_one_default ON email_templates (workspace_id) WHERE is_default;

CREATE TABLE IF NOT EXISTS call_templates (
  id BLOB PRIMARY KEY NOT NULL,
  workspace_id BLOB NOT NULL,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  body TEXT NOT NULL CHECK (length(body) <= 20000),
  is_default INTEGER NOT NULL DEFAULT 0,
  variables TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL DEFAULT (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END),
  updated_at TEXT NOT NULL DEFAULT (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END)
);
CREATE UNIQUE INDEX IF NOT EXISTS call_templates_one_default ON call_templates (workspace_id) WHERE is_default;

CREATE TABLE IF NOT EXISTS campaigns (
  id BLOB PRIMARY KEY NOT NULL,
  workspace_id BLOB NOT NULL,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  icp_id BLOB REFERENCES ideal_client_profiles (id) ON DELETE SET NULL,
  email_template_id BLOB REFERENCES email_templates (id) ON DELETE SET NULL,
  call_template_id BLOB REFERENCES call_templates (id) ON DELETE SET NULL,
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'paused', 'completed', 'cancelled')),
  min_icp_score INTEGER NOT NULL DEFAULT 60 CHECK (min_icp_score BETWEEN 0 AND 100),
  max_contacts INTEGER CHECK (max_contacts > 0),
  target_count INTEGER NOT NULL DEFAULT 0 CHECK (target_count >= 0),
  sent_count INTEGER NOT NULL DEFAULT 0 CHECK (sent_count >= 0),
  opened_count INTEGER NOT NULL DEFAULT 0 CHECK (opened_count >= 0),
  clicked_count INTEGER NOT NULL DEFAULT 0 CHECK (clicked_count >= 0),
  replied_count INTEGER NOT NULL DEFAULT 0 CHECK (replied_count >= 0),
  created_at TEXT NOT NULL DEFAULT (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END),
  updated_at TEXT NOT NULL DEFAULT (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END),
  scheduled_at TEXT,
  activated_at TEXT,
  completed_at TEXT,
  CHECK (opened_count <= sent_count AND clicked_count <= sent_count AND replied_count <= sent_count)
);

-- seq is an INTEGER PRIMARY KEY (a stable rowid) so that the external-content
-- FTS5 index can point at rows; id stays the API's key.
CREATE TABLE IF NOT EXISTS contacts (
  seq INTEGER PRIMARY KEY,
  id BLOB NOT NULL UNIQUE,
  workspace_id BLOB NOT NULL,
  user_id BLOB,
  email TEXT CHECK (length(email) <= 255),
  first_name TEXT CHECK (length(first_name) <= 100),
  last_name TEXT CHECK (length(last_name) <= 100),
  company TEXT CHECK (length(company) <= 255),
  job_title TEXT CHECK (length(job_title) <= 255),
  phone TEXT CHECK (length(phone) <= 50),
  linkedin_url TEXT CHECK (length(linkedin_url) <= 500),
  website TEXT CHECK (length(website) <= 500),
  vertical TEXT CHECK (length(vertical) <= 100),
  persona_type TEXT CHECK (length(persona_type) <= 100),
  annual_revenue INTEGER,
  enrichment_status TEXT NOT NULL DEFAULT 'pending'
    CHECK (enrichment_status IN ('pending', 'processing', 'completed', 'failed')),
  enrichment_data TEXT,
  kernel_analysis TEXT,
  enriched_at TEXT,
  lifecycle_stage TEXT CHECK (length(lifecycle_stage) <= 50),
  lead_status TEXT CHECK (length(lead_status) <= 50),
  pipeline_stage TEXT CHECK (length(pipeline_stage) <= 50),
  external_id TEXT CHECK (length(external_id) <= 255),
  hubspot_id TEXT CHECK (length(hubspot_id) <= 255),
  created_at TEXT NOT NULL DEFAULT (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END),
  updated_at TEXT NOT NULL DEFAULT (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END),
  enrichment_company_name TEXT,
  enrichment_company_revenue INTEGER,
  enrichment_company_employees INTEGER,
  enrichment_company_industry TEXT,
  enrichment_company_growth_yoy REAL,
  enrichment_person_title TEXT,
  enrichment_person_background TEXT,
  enrichment_last_enriched_at TEXT,
  enrichment_data_quality_score INTEGER NOT NULL DEFAULT 0 CHECK (enrichment_data_quality_score BETWEEN 0 AND 100),
  kernel_who_persona TEXT,
  kernel_who_influence TEXT,
  kernel_when_urgency TEXT,
  kernel_when_timing_signal TEXT,
  kernel_what_hook TEXT,
  best_call_variant_number INTEGER,
  email_subject TEXT,
  email_body_preview TEXT CHECK (length(email_body_preview) <= 200),
  assigned_product TEXT,
  icp_id BLOB REFERENCES ideal_client_profiles (id) ON DELETE SET NULL,
  icp_match_score INTEGER CHECK (icp_match_score BETWEEN 0 AND 100),
  product_match TEXT,
  campaign_id BLOB REFERENCES campaigns (id) ON DELETE SET NULL,
  email_send_id TEXT,
  source TEXT CHECK (source IN ('csv', 'hubspot', 'salesforce', 'manual', 'api')),
  tags TEXT NOT NULL DEFAULT '[]' CHECK (json_type(tags) = 'array'),
  notes TEXT CHECK (length(notes) <= 10000)
);
CREATE UNIQUE INDEX IF NOT EXISTS contacts_workspace_email_key ON contacts (workspace_id, lower(email)) WHERE email IS NOT NULL;

-- updated_at: set by the statement when it sets it, else stamped here.
CREATE TRIGGER IF NOT EXISTS users_settings_set_updated_at AFTER UPDATE ON users_settings FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN UPDATE users_settings SET updated_at = (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END) WHERE rowid = NEW.rowid; END;
CREATE TRIGGER IF NOT EXISTS ideal_client_profiles_set_updated_at AFTER UPDATE ON ideal_client_profiles FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN UPDATE ideal_client_profiles SET updated_at = (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END) WHERE rowid = NEW.rowid; END;
CREATE TRIGGER IF NOT EXISTS contact_field_definitions_set_updated_at AFTER UPDATE ON contact_field_definitions FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN UPDATE contact_field_definitions SET updated_at = (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END) WHERE rowid = NEW.rowid; END;
CREATE TRIGGER IF NOT EXISTS email_templates_set_updated_at AFTER UPDATE ON email_templates FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN UPDATE email_templates SET updated_at = (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END) WHERE rowid = NEW.rowid; END;
CREATE TRIGGER IF NOT EXISTS call_templates_set_updated_at AFTER UPDATE ON call_templates FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN UPDATE call_templates SET updated_at = (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END) WHERE rowid = NEW.rowid; END;
CREATE TRIGGER IF NOT EXISTS campaigns_set_updated_at AFTER UPDATE ON campaigns FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN UPDATE campaigns SET updated_at = (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END) WHERE rowid = NEW.rowid; END;
CREATE TRIGGER IF NOT EXISTS contacts_set_updated_at AFTER UPDATE ON contacts FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN UPDATE contacts SET updated_at = (CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END) WHERE seq = NEW.seq; END;
