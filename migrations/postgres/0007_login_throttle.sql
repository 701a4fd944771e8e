-- See the SQLite migration of the same number for the reasons.
CREATE TABLE login_throttle (
    name_hash     TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    last_at       TIMESTAMPTZ NOT NULL,
    blocked_until TIMESTAMPTZ
);
CREATE INDEX login_throttle_last_at ON login_throttle (last_at);

CREATE INDEX sessions_username ON sessions (username);
