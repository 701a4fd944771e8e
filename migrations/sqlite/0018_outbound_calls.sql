-- Outbound calls (issue 17, point 4): wellbeing calls on a schedule per TeleAsistență
-- beneficiary, call lists asked for by other services, and campaigns over the registry.
--
-- Times are milliseconds since the epoch (BIGINT on both backends), so due times compare as
-- numbers and the same SQL text serves both databases.

-- What a campaign selects on: the beneficiary's birth year and whether they live alone. Kept
-- on the device registry row (the beneficiary's record); NULL until entered. The registry's
-- own upsert names its columns, so it leaves these alone.
ALTER TABLE ta_devices ADD COLUMN birth_year INTEGER;
ALTER TABLE ta_devices ADD COLUMN lives_alone INTEGER;

-- A beneficiary's wellbeing-call schedule: weekdays at a local time (Europe/Bucharest), or
-- every N days at that time. `next_due_ms` is the next occurrence not yet materialised; the
-- task inserts that occurrence's call (id `sched:{schedule}:{due}`, so a second instance
-- inserts nothing) and then moves `next_due_ms` on with a conditional update.
CREATE TABLE outbound_schedules (
    id           TEXT PRIMARY KEY,
    device_id    TEXT    NOT NULL,
    -- Comma-separated weekdays (mon..sun); empty with every_days set.
    weekdays     TEXT    NOT NULL,
    every_days   INTEGER,
    -- Local time of day HH:MM.
    at_time      TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    next_due_ms  INTEGER  NOT NULL,
    active       INTEGER NOT NULL,
    created_by   TEXT    NOT NULL,
    created_ms   INTEGER  NOT NULL
);
CREATE INDEX outbound_schedules_due ON outbound_schedules (active, next_due_ms);

-- A campaign (heat wave...): a filter over the registry, previewed, then started once; the
-- start materialises its calls with due times spread over the window.
CREATE TABLE outbound_campaigns (
    id           TEXT PRIMARY KEY,
    name         TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    -- The filter as JSON (min_age, lives_alone): what was asked, kept for the record.
    filter       TEXT    NOT NULL,
    window_start_ms INTEGER NOT NULL,
    window_end_ms   INTEGER NOT NULL,
    -- `draft` until started (one conditional update), then `started`.
    state        TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    created_ms   INTEGER  NOT NULL,
    started_ms   INTEGER
);

-- Call lists other services asked for: who asked, why, and when.
CREATE TABLE outbound_lists (
    id           TEXT PRIMARY KEY,
    requested_by TEXT    NOT NULL,
    service      TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    created_ms   INTEGER  NOT NULL
);

-- One outbound call to make (or skipped, with why). `state`: planned (not yet due), raised
-- (its queue item is open), done (an outcome was recorded), retried (no answer: a later
-- attempt follows), escalated (no answer after the last attempt: an item for the supervisor),
-- skipped (never dialled: `skip_reason`, e.g. contact_blocked). The move planned -> raised is
-- a conditional update, so one instance raises each call; the queue item's idempotency key is
-- `outbound:{id}` as a second guard.
CREATE TABLE outbound_calls (
    id            TEXT PRIMARY KEY,
    -- schedule, list, campaign; and the id of that schedule, list or campaign.
    source        TEXT    NOT NULL,
    source_id     TEXT    NOT NULL,
    device_id     TEXT,
    name          TEXT    NOT NULL,
    phone         TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    due_ms        INTEGER  NOT NULL,
    attempt       INTEGER NOT NULL,
    -- The call this one retries.
    retry_of      TEXT,
    state         TEXT    NOT NULL,
    skip_reason   TEXT,
    item_id       TEXT,
    raised_ms     INTEGER,
    dialled_ms    INTEGER,
    outcome       TEXT,
    outcome_note  TEXT,
    outcome_by    TEXT,
    outcome_ms    INTEGER,
    -- The supervisor's item raised after the last unanswered attempt.
    escalation_item TEXT,
    created_by    TEXT    NOT NULL,
    created_ms    INTEGER  NOT NULL
);
CREATE INDEX outbound_calls_due ON outbound_calls (state, due_ms);
CREATE INDEX outbound_calls_source ON outbound_calls (source, source_id);
CREATE INDEX outbound_calls_item ON outbound_calls (item_id);
