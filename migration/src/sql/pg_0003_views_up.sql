-- Postgres: the analytics views of SPEC §5. security_invoker makes RLS apply
-- to whoever reads them (a plain view reads with its owner's rights).

-- Persona groups of SPEC §6.4, on kernel_who_persona with persona_type as
-- fallback when the former is null or empty.
CREATE OR REPLACE FUNCTION latticeiq_persona_words(kernel_who_persona text, persona_type text)
RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(latticeiq_words(coalesce(nullif(kernel_who_persona, ''), persona_type)), '{}'::text[])
$$;

CREATE OR REPLACE VIEW contact_quality_dashboard WITH (security_invoker = true) AS
SELECT
  c.workspace_id,
  count(*) AS total_contacts,
  count(*) FILTER (WHERE c.enrichment_data_quality_score = 100) AS high_quality,
  count(*) FILTER (WHERE c.enrichment_data_quality_score BETWEEN 80 AND 99) AS good_quality,
  count(*) FILTER (WHERE c.enrichment_data_quality_score BETWEEN 60 AND 79) AS fair_quality,
  count(*) FILTER (WHERE c.enrichment_data_quality_score < 60) AS low_quality,
  round(avg(c.enrichment_data_quality_score), 2)::double precision AS avg_quality_score,
  count(*) FILTER (WHERE p.words && ARRAY['decision', 'owner', 'founder']) AS decision_makers,
  count(*) FILTER (WHERE p.words && ARRAY['executive', 'ceo', 'cfo', 'cto', 'coo', 'president', 'chief', 'vp']) AS executives,
  count(*) FILTER (WHERE p.words && ARRAY['manager', 'director', 'head']) AS managers,
  count(c.icp_id) AS assigned_to_icp,
  count(c.campaign_id) AS in_campaigns
FROM contacts c
CROSS JOIN LATERAL (SELECT latticeiq_persona_words(c.kernel_who_persona, c.persona_type) AS words) p
GROUP BY c.workspace_id;

CREATE OR REPLACE VIEW campaign_performance WITH (security_invoker = true) AS
SELECT
  c.id AS campaign_id,
  c.workspace_id,
  c.name AS campaign_name,
  c.status,
  c.target_count,
  c.sent_count,
  c.opened_count,
  c.clicked_count,
  c.replied_count,
  CASE WHEN c.sent_count > 0 THEN round(c.opened_count * 100.0 / c.sent_count, 2)::double precision ELSE 0 END AS open_rate,
  CASE WHEN c.sent_count > 0 THEN round(c.clicked_count * 100.0 / c.sent_count, 2)::double precision ELSE 0 END AS click_rate,
  CASE WHEN c.sent_count > 0 THEN round(c.replied_count * 100.0 / c.sent_count, 2)::double precision ELSE 0 END AS reply_rate,
  i.name AS icp_name,
  c.created_at,
  c.updated_at,
  c.scheduled_at,
  c.activated_at,
  c.completed_at
FROM campaigns c
LEFT JOIN ideal_client_profiles i ON i.workspace_id = c.workspace_id AND i.id = c.icp_id;
