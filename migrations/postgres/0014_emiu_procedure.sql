-- The EMIU procedure (issue 17, point 1): what outlives one case.
--
-- Hazard notes are kept by address and position, not by case: a dog, weapons in the home, an
-- aggressive relative are shown to any team sent to that address later, on whatever case. The
-- case's own file keeps a `hazard_noted` record (in the event log) of who wrote it and when.
CREATE TABLE hazard_notes (
    id          TEXT PRIMARY KEY,
    item_id     TEXT NOT NULL,
    -- The address normalised (lower case, single spaces, no punctuation); NULL without one.
    address_key TEXT,
    lon         DOUBLE PRECISION,
    lat         DOUBLE PRECISION,
    hazard      TEXT NOT NULL,
    note        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX hazard_notes_address ON hazard_notes (address_key);
CREATE INDEX hazard_notes_position ON hazard_notes (lat, lon);

-- Protection orders, for their expiry reminders: the order itself is a `protection_order`
-- record of the case file; this row says when to remind and whether the reminder item is raised.
-- Dates are ISO text (YYYY-MM-DD) on both backends, so they compare as text.
CREATE TABLE protection_orders (
    id            TEXT PRIMARY KEY,
    item_id       TEXT NOT NULL,
    order_kind    TEXT NOT NULL,
    expires_on    TEXT NOT NULL,
    remind_on     TEXT NOT NULL,
    -- `pending` until the reminder item is raised, then `raised`.
    state         TEXT NOT NULL,
    reminder_item TEXT
);
CREATE INDEX protection_orders_due ON protection_orders (state, remind_on);
