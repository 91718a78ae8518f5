-- Expand: the districts a stakeholder serves and an offering is offered in, one row each, so a
-- district listing or export is an index lookup instead of `LIKE '%"code"%'` over JSON text.
-- The JSON columns stay the record's list as the API returns it (in the order given); every
-- write of a list rewrites these rows in the same transaction. Backfilled from the JSON here;
-- 0013 fills in again whatever a process of the previous release wrote meanwhile.
CREATE TABLE stakeholder_districts (
    stakeholder_id TEXT NOT NULL REFERENCES stakeholders(id) ON DELETE CASCADE,
    district TEXT NOT NULL,
    PRIMARY KEY (stakeholder_id, district)
);
CREATE INDEX stakeholder_districts_district ON stakeholder_districts(district, stakeholder_id);

CREATE TABLE offering_districts (
    offering_id TEXT NOT NULL REFERENCES offerings(id) ON DELETE CASCADE,
    district TEXT NOT NULL,
    PRIMARY KEY (offering_id, district)
);
CREATE INDEX offering_districts_district ON offering_districts(district, offering_id);

INSERT INTO stakeholder_districts (stakeholder_id, district)
SELECT DISTINCT s.id, j.value FROM stakeholders s, json_each(s.districts_served) j
WHERE j.type = 'text';

INSERT INTO offering_districts (offering_id, district)
SELECT DISTINCT o.id, j.value FROM offerings o, json_each(o.districts) j
WHERE j.type = 'text';

-- Status filters become `status IN (...)`; with the district index they find a district's
-- records without reading the others.
CREATE INDEX stakeholders_status ON stakeholders(status, id);
CREATE INDEX offerings_status ON offerings(status, id);
