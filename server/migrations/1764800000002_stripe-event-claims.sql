-- Up Migration

-- One delivery of a Stripe event handles it at a time: the one that claims it (until `claimed_until`, after
-- which a crashed handler's claim lapses); a delivery that finds it claimed is asked to come again later, so
-- an event whose handling fails is never acknowledged by another delivery meanwhile.
ALTER TABLE stripe_events ADD COLUMN claimed_until timestamptz;

-- Down Migration
ALTER TABLE stripe_events DROP COLUMN IF EXISTS claimed_until;
