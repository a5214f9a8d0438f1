-- Up Migration

-- Who last changed a row a command writes: the name of the device that pushed the command (updated_at says
-- when, by the server's clock). Replicated to consoles, so one can tell its user "Venue changed by Box office 1
-- at 19:04 after your edit". Rows written before this, or by the server itself (seeding), have none.
ALTER TABLE events ADD COLUMN updated_by text;

-- Down Migration
ALTER TABLE events DROP COLUMN IF EXISTS updated_by;
