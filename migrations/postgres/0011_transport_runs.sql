-- The Mobilitate unit's runs are trips of other kinds (meal, shuttle, supply; the kind lives in
-- the trip's JSON document, absent = "trip"). Some of their stops serve no registered rider: a
-- centre's meals, a supply delivery, the shuttle's escorts. Their rider_id is NULL; a trip with a
-- rider still references transport_riders.
ALTER TABLE transport_bookings ALTER COLUMN rider_id DROP NOT NULL;
