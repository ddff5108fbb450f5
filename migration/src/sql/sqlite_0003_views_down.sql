DROP VIEW IF EXISTS campaign_performance;
DROP VIEW IF EXISTS contact_quality_dashboard;
