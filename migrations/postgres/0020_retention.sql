-- Retention (issue 17, point 6): what the purge job removed, which runs were claimed, and which
-- items' event payloads were anonymised.
--
-- One row per kind of record each run touched: how many, the oldest and newest date among them,
-- and who ran it (`job:daily` or `cli:<user>`). A dry run writes nothing.
CREATE TABLE purge_log (
    id      BIGSERIAL PRIMARY KEY,
    run_id  TEXT    NOT NULL,
    run_at  TIMESTAMPTZ NOT NULL,
    kind    TEXT    NOT NULL,
    removed BIGINT  NOT NULL,
    oldest  TIMESTAMPTZ,
    newest  TIMESTAMPTZ,
    actor   TEXT    NOT NULL
);
CREATE INDEX purge_log_run_at ON purge_log (run_at);

-- The daily run of each day is claimed by one instance: the first INSERT of the day's key wins.
CREATE TABLE retention_claims (
    run_key    TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    claimed_at TIMESTAMPTZ NOT NULL
);

-- Items whose events were anonymised in the log (their existence, times, category and outcome
-- stay, so the live state and the reports fold the same counts), so a later run skips them.
CREATE TABLE retention_purged_items (
    item_id   TEXT PRIMARY KEY,
    purged_at TIMESTAMPTZ NOT NULL
);
