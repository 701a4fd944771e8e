-- A bed held for an outreach item (issue 17, point 3) is counted at once but the person is not
-- in yet: `arrived_at`/`arrived_by` say when the street team brought them and who recorded it.
-- Admissions in person arrive when admitted; every admission made before this migration did.
ALTER TABLE bed_admissions ADD COLUMN arrived_at TIMESTAMPTZ;
ALTER TABLE bed_admissions ADD COLUMN arrived_by TEXT;
UPDATE bed_admissions SET arrived_at = admitted_at, arrived_by = admitted_by;
