-- Who erased whose personal data, and when: the record of an erasure itself holds no personal data.
CREATE TABLE erasures (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stakeholder_id TEXT NOT NULL REFERENCES stakeholders(id),
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX erasures_stakeholder ON erasures(stakeholder_id);
