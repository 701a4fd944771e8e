-- SIA DC-09 receiver: an account's own supervision interval (seconds; NULL = none of its own,
-- the linked device's check-in period applies) and the last message whose silence was already
-- reported as a missed check-in (milliseconds since the epoch), so it is reported once.
ALTER TABLE receiver_accounts ADD COLUMN supervision_s BIGINT;
ALTER TABLE receiver_accounts ADD COLUMN missed_raised_for_ms BIGINT;
