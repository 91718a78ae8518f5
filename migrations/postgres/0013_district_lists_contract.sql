-- Contract: from this release on, the district filters of listings and exports read only
-- stakeholder_districts and offering_districts, not `LIKE` over the JSON. A process of the release
-- before 0012 that kept serving while 0012 was applied wrote lists without these rows, so they
-- are rebuilt once more from the JSON, which every release has written.
--
-- The JSON columns stay: the API returns each list in the order it was given, and the join
-- tables are sets. Nothing else was there for the old filters (they had no index) to drop.
DELETE FROM stakeholder_districts;
INSERT INTO stakeholder_districts (stakeholder_id, district)
SELECT DISTINCT s.id, j.value
FROM stakeholders s, json_array_elements_text(s.districts_served::json) AS j(value);

DELETE FROM offering_districts;
INSERT INTO offering_districts (offering_id, district)
SELECT DISTINCT o.id, j.value
FROM offerings o, json_array_elements_text(o.districts::json) AS j(value);
