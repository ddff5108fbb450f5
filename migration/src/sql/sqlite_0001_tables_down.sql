DROP TABLE IF EXISTS contacts;
DROP TABLE IF EXISTS campaigns;
DROP TABLE IF EXISTS users_settings;
DROP TABLE IF EXISTS call_templates;
DROP TABLE IF EXISTS email_templates;
DROP TABLE IF EXISTS contact_field_definitions;
DROP TABLE IF EXISTS ideal_client_profiles;
