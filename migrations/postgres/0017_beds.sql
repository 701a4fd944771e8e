-- Beds (issue 17, point 3): the registry of places in shelters, night shelters, crisis centres
-- and domestic-violence shelters, who is in them, and the cold-weather mode.
--
-- Free places are never stored: they are counted from the open admissions, in the transaction
-- that admits, with the facility's row locked (`SELECT … FOR UPDATE`), so two admissions racing
-- for the last place are serialised and the second is refused. `version` is bumped by every
-- admission and edit, so the lock is also visible as a change.
CREATE TABLE bed_providers (
    id         TEXT PRIMARY KEY,
    name       TEXT        NOT NULL,
    -- `das` (the public service) or `ngo`.
    kind       TEXT        NOT NULL CHECK (kind IN ('das', 'ngo')),
    phone      TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE bed_facilities (
    id                TEXT PRIMARY KEY,
    provider_id       TEXT        NOT NULL REFERENCES bed_providers (id),
    name              TEXT        NOT NULL,
    -- `shelter`, `night_shelter`, `crisis`, `dv_shelter`. The address of a `dv_shelter` is
    -- served to EMIU and supervisors only (`beds::rules::may_see_address`).
    kind              TEXT        NOT NULL
        CHECK (kind IN ('shelter', 'night_shelter', 'crisis', 'dv_shelter')),
    adult_places      BIGINT      NOT NULL CHECK (adult_places >= 0),
    child_places      BIGINT      NOT NULL CHECK (child_places >= 0),
    -- Extra adult places a night shelter opens while the cold-weather mode is on.
    cold_extra_places BIGINT      NOT NULL CHECK (cold_extra_places >= 0),
    stay_limit_days   BIGINT      NOT NULL CHECK (stay_limit_days > 0),
    address           TEXT        NOT NULL,
    lon               DOUBLE PRECISION,
    lat               DOUBLE PRECISION,
    phone             TEXT        NOT NULL,
    version           BIGINT      NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);

-- A person (initials or a pseudonym, never a full name) and the children with them in a
-- facility; open while `discharged_at` is NULL.
CREATE TABLE bed_admissions (
    id             TEXT PRIMARY KEY,
    facility_id    TEXT        NOT NULL REFERENCES bed_facilities (id),
    person         TEXT        NOT NULL,
    item_id        TEXT,
    adults         BIGINT      NOT NULL CHECK (adults >= 0),
    children       BIGINT      NOT NULL CHECK (children >= 0),
    admitted_at    TIMESTAMPTZ NOT NULL,
    expected_leave TIMESTAMPTZ NOT NULL,
    admitted_by    TEXT        NOT NULL,
    discharged_at  TIMESTAMPTZ,
    discharged_by  TEXT
);
CREATE INDEX bed_admissions_open ON bed_admissions (facility_id) WHERE discharged_at IS NULL;
CREATE INDEX bed_admissions_item ON bed_admissions (item_id);

-- The supervisor's switch of the cold-weather mode (`auto`: the configured rule decides), one
-- row; every change is also a row of the log below and of `audit_log`.
CREATE TABLE bed_cold_weather (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    mode   TEXT        NOT NULL CHECK (mode IN ('auto', 'on', 'off')),
    reason TEXT        NOT NULL,
    set_by TEXT        NOT NULL,
    set_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE bed_cold_weather_log (
    id     TEXT PRIMARY KEY,
    mode   TEXT        NOT NULL,
    reason TEXT        NOT NULL,
    set_by TEXT        NOT NULL,
    set_at TIMESTAMPTZ NOT NULL
);

-- Outdoor temperatures posted by staff (the machine has no network for weather feeds).
CREATE TABLE bed_temperatures (
    id          TEXT PRIMARY KEY,
    celsius     DOUBLE PRECISION NOT NULL,
    recorded_by TEXT        NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX bed_temperatures_at ON bed_temperatures (recorded_at);

-- The EMIU shelters (migration 0003) become DV shelters of the registry, so there is one count
-- of places: their places taken so far are carried over as one admission without a person
-- (its id 32 hex digits, a UUID in simple form).
INSERT INTO bed_providers (id, name, kind, phone, created_at, updated_at)
SELECT 'DAS', 'DAS Timișoara', 'das', '', now(), now()
WHERE EXISTS (SELECT 1 FROM shelters);
INSERT INTO bed_facilities (id, provider_id, name, kind, adult_places, child_places,
    cold_extra_places, stay_limit_days, address, lon, lat, phone, version, created_at, updated_at)
SELECT id, 'DAS', name, 'dv_shelter', capacity, 0, 0, 90, '', NULL, NULL, '', 0, now(), now()
FROM shelters;
INSERT INTO bed_admissions (id, facility_id, person, item_id, adults, children, admitted_at,
    expected_leave, admitted_by)
SELECT md5(random()::text || id), id, 'preluat', NULL, capacity - free_places, 0, now(),
    now() + INTERVAL '90 days', 'migration'
FROM shelters WHERE free_places < capacity;
DROP TABLE shelters;
