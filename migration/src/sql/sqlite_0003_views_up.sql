-- SQLite: the analytics views, computing what the Postgres views compute.
-- Persona groups (SPEC §6.4) use REGEXP, which the gateway registers on every
-- connection (sqlx's Rust-regex implementation): a keyword counts only as a
-- whole word, i.e. between characters that are not letters or digits.
CREATE VIEW IF NOT EXISTS contact_quality_dashboard AS
SELECT
  workspace_id,
  count(*) AS total_contacts,
  sum(enrichment_data_quality_score = 100) AS high_quality,
  sum(enrichment_data_quality_score BETWEEN 80 AND 99) AS good_quality,
  sum(enrichment_data_quality_score BETWEEN 60 AND 79) AS fair_quality,
  sum(enrichment_data_quality_score < 60) AS low_quality,
  round(avg(enrichment_data_quality_score), 2) AS avg_quality_score,
  sum(coalesce(coalesce(nullif(kernel_who_persona, ''), persona_type) REGEXP '(?i)(^|[^\p{L}\p{Nd}])(decision|owner|founder)([^\p{L}\p{Nd}]|$)', 0)) AS decision_makers,
  sum(coalesce(coalesce(nullif(kernel_who_persona, ''), persona_type) REGEXP '(?i)(^|[^\p{L}\p{Nd}])(executive|ceo|cfo|cto|coo|president|chief|vp)([^\p{L}\p{Nd}]|$)', 0)) AS executives,
  sum(coalesce(coalesce(nullif(kernel_who_persona, ''), persona_type) REGEXP '(?i)(^|[^\p{L}\p{Nd}])(manager|director|head)([^\p{L}\p{Nd}]|$)', 0)) AS managers,
  count(icp_id) AS assigned_to_icp,
  count(campaign_id) AS in_campaigns
FROM contacts
GROUP BY workspace_id;

CREATE VIEW IF NOT EXISTS campaign_performance AS
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
  CASE WHEN c.sent_count > 0 THEN round(c.opened_count * 100.0 / c.sent_count, 2) ELSE 0.0 END AS open_rate,
  CASE WHEN c.sent_count > 0 THEN round(c.clicked_count * 100.0 / c.sent_count, 2) ELSE 0.0 END AS click_rate,
  CASE WHEN c.sent_count > 0 THEN round(c.replied_count * 100.0 / c.sent_count, 2) ELSE 0.0 END AS reply_rate,
  i.name AS icp_name,
  c.created_at,
  c.updated_at,
  c.scheduled_at,
  c.activated_at,
  c.completed_at
FROM campaigns c
LEFT JOIN ideal_client_profiles i ON i.workspace_id = c.workspace_id AND i.id = c.icp_id;
