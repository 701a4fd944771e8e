-- The supervisor's view of who is logged in where: each session remembers when it was last used
-- (written at most once a minute per session, so a busy console does not write per request),
-- from which address, and which page of the console it said it has open.
ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMPTZ;
ALTER TABLE sessions ADD COLUMN last_from TEXT;
ALTER TABLE sessions ADD COLUMN last_page TEXT;

-- Outbound calls a dispatcher asked for (call back a caller, a beneficiary, a carer), sent by a
-- background worker through the provider's Calls API, never on the request path. The number is
-- resolved on the server when the row is written; the row's id is the call id the console is
-- given and is passed to the provider as Idempotency-Key. Claimed like the SMS outbox: one
-- conditional update counts the attempt and leases the row, so two instances never place one
-- call; a row with status 'sent' is never sent again.
CREATE TABLE call_outbox (
    id              TEXT PRIMARY KEY,
    item_id         TEXT NOT NULL,
    target          TEXT NOT NULL,
    to_phone        TEXT NOT NULL,
    requested_by    TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    provider_sid    TEXT,
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ
);
CREATE INDEX call_outbox_due ON call_outbox (status, next_attempt_at);
