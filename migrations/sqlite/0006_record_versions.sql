-- Every edit of a record counts up its version and says who made it, so an edit based on an
-- older version is refused (409, with who changed it and when) instead of silently undoing
-- another person's change. Existing records start at version 1.
ALTER TABLE stakeholders ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE stakeholders ADD COLUMN updated_by TEXT;
ALTER TABLE offerings ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE offerings ADD COLUMN updated_by TEXT;
ALTER TABLE needs ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE needs ADD COLUMN updated_by TEXT;
