CREATE TABLE states (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_local TEXT,
    lgd_code INTEGER
);

CREATE TABLE districts (
    code TEXT PRIMARY KEY,
    state_code TEXT NOT NULL REFERENCES states(code),
    name TEXT NOT NULL,
    name_local TEXT,
    lgd_code INTEGER
);
CREATE INDEX districts_state ON districts(state_code);

CREATE TABLE blocks (
    district_code TEXT NOT NULL REFERENCES districts(code),
    name TEXT NOT NULL,
    name_local TEXT,
    PRIMARY KEY (district_code, name)
);

CREATE TABLE sectors (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_local TEXT,
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE stakeholders (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    name_local TEXT,
    district TEXT NOT NULL REFERENCES districts(code),
    districts_served TEXT NOT NULL,
    description TEXT,
    contact_person TEXT,
    contact_phone TEXT,
    contact_email TEXT,
    profile TEXT,
    possible_duplicates TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL,
    created_via TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    demo INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX stakeholders_district ON stakeholders(district, name_key);
CREATE INDEX stakeholders_phone ON stakeholders(contact_phone);

CREATE TABLE offerings (
    id TEXT PRIMARY KEY,
    stakeholder_id TEXT NOT NULL REFERENCES stakeholders(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    sectors TEXT NOT NULL,
    districts TEXT NOT NULL,
    eligibility TEXT NOT NULL,
    terms TEXT NOT NULL,
    valid_until TEXT,
    status TEXT NOT NULL,
    created_via TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    demo INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX offerings_stakeholder ON offerings(stakeholder_id);

CREATE TABLE needs (
    id TEXT PRIMARY KEY,
    stakeholder_id TEXT NOT NULL REFERENCES stakeholders(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    sector TEXT,
    amount_inr INTEGER,
    status TEXT NOT NULL,
    created_via TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    demo INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX needs_stakeholder ON needs(stakeholder_id);

CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

-- Append-only: every write search must see, in the writing transaction.
-- SQLite serialises writers, so seq order is commit order and tx is always 0.
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tx INTEGER NOT NULL DEFAULT 0,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op TEXT NOT NULL,
    at TEXT NOT NULL
);
