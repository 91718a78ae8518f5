-- When a machine token was last used, to the hour (the admin tokens page shows it, so that an
-- unused token can be revoked). Written at most once an hour per token, not on every request.
ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
