-- Coalition meetings, the linkages suggested for them, and what people did with each linkage.

CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    district TEXT NOT NULL REFERENCES districts(code),
    date TEXT NOT NULL,
    -- JSON list of stakeholder ids
    invitees TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX meetings_district ON meetings(district, date);

-- One row per (meeting, need, offering): asking for suggestions again updates, never doubles.
CREATE TABLE linkages (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    need_id TEXT NOT NULL REFERENCES needs(id),
    offering_id TEXT NOT NULL REFERENCES offerings(id),
    kind TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    -- JSON list of sentences
    reasons TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (meeting_id, need_id, offering_id)
);
CREATE INDEX linkages_need ON linkages(need_id, status);
CREATE INDEX linkages_offering ON linkages(offering_id, status);

-- Every status change a person made, with their note: the follow-through record.
CREATE TABLE linkage_events (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    linkage_id TEXT NOT NULL REFERENCES linkages(id),
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    note TEXT,
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX linkage_events_linkage ON linkage_events(linkage_id, seq);
