DROP VIEW IF EXISTS campaign_performance;
DROP VIEW IF EXISTS contact_quality_dashboard;
DROP FUNCTION IF EXISTS latticeiq_persona_words(text, text);
