-- Up Migration

-- Tombstones are purged after a retention period (jobs/purge-tombstones.ts); age is measured from here.
-- Tombstones that predate this column count from the migration, so none is purged earlier than retention allows.
ALTER TABLE tombstones ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX tombstones_created_at ON tombstones (created_at);

-- The purge runs as the application role, which sees one organization at a time; this narrow lookup tells it
-- which organizations have tombstones past retention, and returns their ids only.
CREATE FUNCTION orgs_with_tombstones_before(p_cutoff timestamptz)
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
  $$ SELECT DISTINCT org_id FROM tombstones WHERE created_at < p_cutoff $$;
REVOKE ALL ON FUNCTION orgs_with_tombstones_before(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION orgs_with_tombstones_before(timestamptz) TO janix_app;

-- Down Migration
DROP FUNCTION IF EXISTS orgs_with_tombstones_before(timestamptz);
DROP INDEX IF EXISTS tombstones_created_at;
ALTER TABLE tombstones DROP COLUMN IF EXISTS created_at;
