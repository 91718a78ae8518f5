-- One row per message and channel (the spool file, a webhook, an SMS gateway): each channel
-- delivers, retries and gives up on its own, so a gateway that is down does not hold back the
-- webhook or send the spool file a message twice. Rows are made by the dispatcher from the
-- channels it is configured with ("fan-out"), in one transaction with outbox.dispatched_at.
-- The delivery columns of outbox itself (deliver_after, attempts, claimed_until, delivered_at,
-- outcome) are no longer written; messages the old dispatcher had already spooled count as
-- dispatched.
ALTER TABLE outbox ADD COLUMN dispatched_at TEXT;
UPDATE outbox SET dispatched_at = delivered_at WHERE delivered_at IS NOT NULL;
CREATE INDEX outbox_undispatched ON outbox(dispatched_at, seq);

CREATE TABLE outbox_deliveries (
    seq INTEGER NOT NULL REFERENCES outbox(seq) ON DELETE CASCADE,
    -- 'spool', 'webhook' or 'sms'.
    channel TEXT NOT NULL,
    -- Sent with every attempt (Idempotency-Key), the same each time, so a receiver can drop a
    -- repeat (after a timeout, or a crash between sending and marking).
    idempotency_key TEXT NOT NULL UNIQUE,
    -- 'pending', 'delivered', 'skipped' (nobody to send to, e.g. no phone) or 'dead' (given up).
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    -- Not before this instant: later after each failed attempt.
    deliver_after TEXT NOT NULL,
    -- A dispatcher that took the delivery holds it until then; another may take it after.
    claimed_until TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    last_error TEXT,
    -- The HTTP status of the last answer, if there was one.
    last_status INTEGER,
    PRIMARY KEY (seq, channel)
);
CREATE INDEX outbox_deliveries_due ON outbox_deliveries(state, deliver_after);
