-- Referrals that close the loop (issue 17, point 2).
--
-- The directory of services a case is referred to: DAS units and NGO partners, with what a
-- dispatcher needs to answer an information call (address, hours, phone, how to apply) and how
-- long the service has to acknowledge a referral. Seeded from `[referrals] services` on start
-- (a row that exists is never overwritten: the admin's edits win); kept by an admin.
-- `categories` is a JSON array of call categories; `search` is the lower-cased text that
-- `?q=` matches (name, eligibility, categories), kept by the store on every write.
CREATE TABLE services (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    address              TEXT NOT NULL,
    opening_hours        TEXT NOT NULL,
    phone                TEXT NOT NULL,
    email                TEXT NOT NULL,
    eligibility          TEXT NOT NULL,
    how_to_apply         TEXT NOT NULL,
    categories           TEXT NOT NULL,
    ack_deadline_minutes BIGINT  NOT NULL,
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    search               TEXT NOT NULL,
    updated_by           TEXT NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);

-- A referral's loop: when the service must acknowledge by, whether it was escalated to the
-- supervisor (claimed by one conditional update, so once whatever the number of instances), and
-- the outcome the service reported (`accepted`, `declined` with a reason code, `completed`).
ALTER TABLE referrals ADD COLUMN ack_due_at TIMESTAMPTZ;
ALTER TABLE referrals ADD COLUMN escalated_at TIMESTAMPTZ;
ALTER TABLE referrals ADD COLUMN escalation_item TEXT;
ALTER TABLE referrals ADD COLUMN outcome TEXT;
ALTER TABLE referrals ADD COLUMN outcome_reason TEXT;
ALTER TABLE referrals ADD COLUMN outcome_note TEXT NOT NULL DEFAULT '';
ALTER TABLE referrals ADD COLUMN outcome_by TEXT;
ALTER TABLE referrals ADD COLUMN outcome_at TIMESTAMPTZ;
CREATE INDEX referrals_service ON referrals (service, created_at);
CREATE INDEX referrals_ack_due ON referrals (ack_due_at);
