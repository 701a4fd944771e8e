-- People who log in to the console or a tablet. Passwords are argon2id hashes (PHC strings).
-- `resource_id` ties a driver or an EMIU member to the resource they work as (SOFER-03, EMIU-1),
-- which is what limits a driver to their own manifest.
CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    resource_id   TEXT,
    created_at    TEXT NOT NULL,
    disabled_at   TEXT
);

-- Login sessions (browser cookie or tablet bearer token); only the token's SHA-256 is kept.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username   TEXT NOT NULL REFERENCES users (username),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- Who saw what. Changes are in the event log with their actor; this records reads of cases
-- (item details and histories), so a supervisor can answer "who looked at this victim's file".
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    role    TEXT NOT NULL,
    action  TEXT NOT NULL,
    item_id TEXT,
    outcome TEXT NOT NULL
);
CREATE INDEX audit_log_item ON audit_log (item_id);
