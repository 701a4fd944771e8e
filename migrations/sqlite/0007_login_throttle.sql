-- The login throttle (src/http/throttle.rs), kept here rather than in each instance's memory so
-- that every instance sharing this database counts the same wrong passwords: a guesser gets one
-- allowance in all, not one per instance. An attempt is counted before its password is checked
-- (and cleared by a right password), so a burst of concurrent guesses cannot outrun the count.
-- `name_hash` is the SHA-256 of the username as typed (trimmed, lower case), never the name:
-- people type their password into the username field.
CREATE TABLE login_throttle (
    name_hash     TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    last_at       TEXT NOT NULL,
    blocked_until TEXT
);
-- Forgetting names unseen for a quarter of an hour.
CREATE INDEX login_throttle_last_at ON login_throttle (last_at);

-- Ending every session of one user (a disabled account, a new password or role).
CREATE INDEX sessions_username ON sessions (username);
