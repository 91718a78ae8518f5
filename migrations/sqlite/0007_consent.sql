-- Consent to a public registration (DPDP Act 2023): which notice the person was shown, in which
-- language (hi|en), and when they agreed. NULL for records not made by public registration.
ALTER TABLE stakeholders ADD COLUMN consent_notice_version TEXT;
ALTER TABLE stakeholders ADD COLUMN consent_language TEXT;
ALTER TABLE stakeholders ADD COLUMN consent_given_at TEXT;
