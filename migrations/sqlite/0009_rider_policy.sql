-- Eligibility and the no-show / late-cancel policy (issue 16, point 2), and the riders' SMS
-- replies (point 4). The certificate itself lives in the rider's JSON document; this table is the
-- rider's history: what the policy counts (no_show, late_cancel), what it raised (flagged), what a
-- supervisor decided (suspended, waived, override) and the SMS replies the service acted on.
--
-- event_key is the cause (no_show:{trip}, late_cancel:{trip}, sms:{MessageSid}, suspend:{uuid}),
-- so a replayed driver action, a repeated cancellation or a retried webhook records nothing new:
-- an SMS reply is recorded here (with what it will do) before it is acted on, and a retry finds
-- the row and only redoes the idempotent steps. The verdict (flagged, suspended until) is
-- computed from these rows, never stored twice.
CREATE TABLE transport_rider_events (
    event_key TEXT PRIMARY KEY,
    rider_id  TEXT NOT NULL,
    kind      TEXT NOT NULL,
    at        TEXT NOT NULL,
    data      TEXT NOT NULL
);
CREATE INDEX transport_rider_events_rider ON transport_rider_events (rider_id, at);
CREATE INDEX transport_rider_events_kind ON transport_rider_events (kind, at);

-- An SMS reply is matched to the trips its sender was told about (confirmation, reminder).
CREATE INDEX sms_outbox_to ON sms_outbox (to_phone);
