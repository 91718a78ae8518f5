-- Messages to people (SMS, later), written in the same transaction as the change they announce
-- and sent by a dispatcher in the background: a committed change is never left unannounced, and a
-- change that was rolled back is never announced.
CREATE TABLE outbox (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The stakeholder to reach; the phone is looked up when sending, so an erased one is not.
    recipient_id TEXT NOT NULL,
    -- The person the message speaks of (an entrepreneur), so that erasing them drops it too.
    about_id TEXT,
    topic TEXT NOT NULL,
    text_en TEXT NOT NULL,
    text_hi TEXT NOT NULL,
    created_at TEXT NOT NULL,
    -- Not before this instant: later after each failed attempt.
    deliver_after TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    -- A dispatcher that took the message holds it until then; another may take it after.
    claimed_until TEXT,
    delivered_at TEXT,
    -- 'sent', 'no_phone', or the last error.
    outcome TEXT
);
CREATE INDEX outbox_due ON outbox(delivered_at, deliver_after);
CREATE INDEX outbox_people ON outbox(recipient_id, about_id);
