-- Postgres: the data model of SPEC §5. Tenant tables carry workspace_id and a
-- UNIQUE (workspace_id, id) so that references between tenant rows are
-- composite foreign keys: a row can never point at another workspace's row.

-- Words of SPEC §6: lower-case, then runs of letters (L*) and decimal digits
-- (Nd). The ICU root collation makes [:alnum:] exactly L* ∪ Nd whatever the
-- database collation, so the result equals the Rust `domain::words`.
CREATE OR REPLACE FUNCTION latticeiq_words(input text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_remove(regexp_split_to_array(lower(input COLLATE "und-x-icu"), '[^[:alnum:]]+'), ''), '{}'::text[])
$$;

CREATE OR REPLACE FUNCTION latticeiq_set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

CREATE TABLE IF NOT EXISTS users_settings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL UNIQUE,
  company_name varchar(200),
  industry varchar(100),
  products jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(products) = 'object'),
  hubspot_api_key text,
  openai_api_key text,
  perplexity_api_key text,
  default_email_template_id uuid,
  default_call_template_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ideal_client_profiles (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL,
  name varchar(100) NOT NULL CHECK (char_length(name) >= 1),
  description varchar(500),
  criteria jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(criteria) = 'object'),
  scoring_weights jsonb NOT NULL DEFAULT '{"industry_weight": 30, "persona_weight": 40, "company_size_weight": 30}'::jsonb,
  is_active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ideal_client_profiles_workspace_name_key UNIQUE (workspace_id, name),
  CONSTRAINT ideal_client_profiles_workspace_id_key UNIQUE (workspace_id, id)
);

CREATE TABLE IF NOT EXISTS contact_field_definitions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL,
  field_name varchar(63) NOT NULL CHECK (field_name ~ '^[a-z][a-z0-9_]*$'),
  display_name varchar(100) NOT NULL,
  field_type text NOT NULL DEFAULT 'text'
    CHECK (field_type IN ('text', 'number', 'float', 'bigint', 'date', 'boolean', 'array')),
  source varchar(50),
  jsonb_path varchar(200) NOT NULL,
  is_searchable boolean NOT NULL DEFAULT false,
  is_filterable boolean NOT NULL DEFAULT false,
  is_displayable boolean NOT NULL DEFAULT true,
  sort_priority integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT contact_field_definitions_workspace_name_key UNIQUE (workspace_id, field_name)
);

CREATE TABLE IF NOT EXISTS email_templates (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL,
  name varchar(200) NOT NULL CHECK (char_length(name) >= 1),
  subject varchar(500) NOT NULL,
  body varchar(20000) NOT NULL,
  is_default boolean NOT NULL DEFAULT false,
  variables jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT email_templates_workspace_id_key UNIQUE (workspace_id, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS email_templates_one_default
  ON email_templates (workspace_id) WHERE is_default;

CREATE TABLE IF NOT EXISTS call_templates (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL,
  name varchar(200) NOT NULL CHECK (char_length(name) >= 1),
  body varchar(20000) NOT NULL,
  is_default boolean NOT NULL DEFAULT false,
  variables jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT call_templates_workspace_id_key UNIQUE (workspace_id, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS call_templates_one_default
  ON call_templates (workspace_id) WHERE is_default;

CREATE TABLE IF NOT EXISTS campaigns (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL,
  name varchar(200) NOT NULL CHECK (char_length(name) >= 1),
  icp_id uuid,
  email_template_id uuid,
  call_template_id uuid,
  status text NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'active', 'paused', 'completed', 'cancelled')),
  min_icp_score integer NOT NULL DEFAULT 60 CHECK (min_icp_score BETWEEN 0 AND 100),
  max_contacts integer CHECK (max_contacts > 0),
  target_count integer NOT NULL DEFAULT 0 CHECK (target_count >= 0),
  sent_count integer NOT NULL DEFAULT 0 CHECK (sent_count >= 0),
  opened_count integer NOT NULL DEFAULT 0 CHECK (opened_count >= 0),
  clicked_count integer NOT NULL DEFAULT 0 CHECK (clicked_count >= 0),
  replied_count integer NOT NULL DEFAULT 0 CHECK (replied_count >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  scheduled_at timestamptz,
  activated_at timestamptz,
  completed_at timestamptz,
  CONSTRAINT campaigns_counts_within_sent
    CHECK (opened_count <= sent_count AND clicked_count <= sent_count AND replied_count <= sent_count),
  CONSTRAINT campaigns_workspace_id_key UNIQUE (workspace_id, id),
  CONSTRAINT campaigns_icp_fkey FOREIGN KEY (workspace_id, icp_id)
    REFERENCES ideal_client_profiles (workspace_id, id) ON DELETE SET NULL (icp_id),
  CONSTRAINT campaigns_email_template_fkey FOREIGN KEY (workspace_id, email_template_id)
    REFERENCES email_templates (workspace_id, id) ON DELETE SET NULL (email_template_id),
  CONSTRAINT campaigns_call_template_fkey FOREIGN KEY (workspace_id, call_template_id)
    REFERENCES call_templates (workspace_id, id) ON DELETE SET NULL (call_template_id)
);

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'users_settings_default_email_template_fkey') THEN
    ALTER TABLE users_settings ADD CONSTRAINT users_settings_default_email_template_fkey
      FOREIGN KEY (workspace_id, default_email_template_id)
      REFERENCES email_templates (workspace_id, id) ON DELETE SET NULL (default_email_template_id);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'users_settings_default_call_template_fkey') THEN
    ALTER TABLE users_settings ADD CONSTRAINT users_settings_default_call_template_fkey
      FOREIGN KEY (workspace_id, default_call_template_id)
      REFERENCES call_templates (workspace_id, id) ON DELETE SET NULL (default_call_template_id);
  END IF;
END
$$;

CREATE TABLE IF NOT EXISTS contacts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL,
  user_id uuid,
  email varchar(255),
  first_name varchar(100),
  last_name varchar(100),
  company varchar(255),
  job_title varchar(255),
  phone varchar(50),
  linkedin_url varchar(500),
  website varchar(500),
  vertical varchar(100),
  persona_type varchar(100),
  annual_revenue bigint,
  enrichment_status text NOT NULL DEFAULT 'pending'
    CHECK (enrichment_status IN ('pending', 'processing', 'completed', 'failed')),
  enrichment_data jsonb,
  kernel_analysis jsonb,
  enriched_at timestamptz,
  lifecycle_stage varchar(50),
  lead_status varchar(50),
  pipeline_stage varchar(50),
  external_id varchar(255),
  hubspot_id varchar(255),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- enrichment (9)
  enrichment_company_name text,
  enrichment_company_revenue bigint,
  enrichment_company_employees integer,
  enrichment_company_industry text,
  enrichment_company_growth_yoy double precision,
  enrichment_person_title text,
  enrichment_person_background text,
  enrichment_last_enriched_at timestamptz,
  enrichment_data_quality_score integer NOT NULL DEFAULT 0
    CHECK (enrichment_data_quality_score BETWEEN 0 AND 100),
  -- kernel (5)
  kernel_who_persona text,
  kernel_who_influence text,
  kernel_when_urgency text,
  kernel_when_timing_signal text,
  kernel_what_hook text,
  -- content (3)
  best_call_variant_number integer,
  email_subject text,
  email_body_preview varchar(200),
  -- product / ICP (4)
  assigned_product text,
  icp_id uuid,
  icp_match_score integer CHECK (icp_match_score BETWEEN 0 AND 100),
  product_match jsonb,
  -- campaign (2)
  campaign_id uuid,
  email_send_id text,
  -- metadata (3)
  source text CHECK (source IN ('csv', 'hubspot', 'salesforce', 'manual', 'api')),
  tags text[] NOT NULL DEFAULT '{}'::text[],
  notes varchar(10000),
  CONSTRAINT contacts_icp_fkey FOREIGN KEY (workspace_id, icp_id)
    REFERENCES ideal_client_profiles (workspace_id, id) ON DELETE SET NULL (icp_id),
  CONSTRAINT contacts_campaign_fkey FOREIGN KEY (workspace_id, campaign_id)
    REFERENCES campaigns (workspace_id, id) ON DELETE SET NULL (campaign_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS contacts_workspace_email_key
  ON contacts (workspace_id, lower(email)) WHERE email IS NOT NULL;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users_settings', 'ideal_client_profiles', 'contact_field_definitions',
                           'email_templates', 'call_templates', 'campaigns', 'contacts'] LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_set_updated_at', t);
    -- Only rows that really change get a new updated_at (and pay for the trigger's write).
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW '
                   'WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION latticeiq_set_updated_at()',
                   t || '_set_updated_at', t);
  END LOOP;
END
$$;
