-- Shifts (`src/shifts/`): the dispatchers' duty roster, the phones the incoming-call webhook
-- rings for the people on duty, and the handover notes between shifts.
--
-- Times are milliseconds since the epoch (BIGINT): the same comparison in both dialects, so
-- the overlap check and "on duty at" read one SQL text.

-- The phone (and PBX extension, dialled as tones after answering) of a dispatcher account.
-- Personal data of staff: never logged, served only to supervisors and admins.
CREATE TABLE dispatcher_contacts (
    username   TEXT PRIMARY KEY REFERENCES users (username),
    phone      TEXT NOT NULL,
    extension  TEXT,
    updated_by TEXT NOT NULL,
    updated_ms BIGINT NOT NULL
);

-- A shift: [starts_ms, ends_ms), its lead (one of its members).
CREATE TABLE roster_shifts (
    id         TEXT PRIMARY KEY,
    starts_ms  BIGINT NOT NULL,
    ends_ms    BIGINT NOT NULL,
    lead       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_ms BIGINT NOT NULL,
    CHECK (ends_ms > starts_ms)
);
CREATE INDEX roster_shifts_time ON roster_shifts (starts_ms, ends_ms);

-- Who is on a shift; `position` is the order sequential ringing follows.
CREATE TABLE roster_members (
    shift_id TEXT NOT NULL REFERENCES roster_shifts (id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (shift_id, username)
);
CREATE INDEX roster_members_user ON roster_members (username);

-- One handover note per outgoing shift: the lead's text and the generated summary (JSON of
-- counts and item references only), for the incoming shift.
CREATE TABLE handover_notes (
    id            TEXT PRIMARY KEY,
    shift_id      TEXT NOT NULL UNIQUE REFERENCES roster_shifts (id),
    next_shift_id TEXT NOT NULL REFERENCES roster_shifts (id),
    written_by    TEXT NOT NULL,
    written_ms    BIGINT NOT NULL,
    note          TEXT NOT NULL,
    summary       TEXT NOT NULL
);
CREATE INDEX handover_notes_next ON handover_notes (next_shift_id);

-- Who of the incoming shift acknowledged a note, and when.
CREATE TABLE handover_acks (
    note_id  TEXT NOT NULL REFERENCES handover_notes (id),
    username TEXT NOT NULL,
    at_ms    BIGINT NOT NULL,
    PRIMARY KEY (note_id, username)
);
