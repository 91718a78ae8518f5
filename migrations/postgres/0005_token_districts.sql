-- A token may be limited to districts (a JSON list of codes): its holder writes only records
-- of those districts. An empty list, as for every token made before, means every district.
ALTER TABLE tokens ADD COLUMN districts TEXT NOT NULL DEFAULT '[]';
