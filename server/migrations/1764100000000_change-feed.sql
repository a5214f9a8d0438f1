-- Up Migration

-- Deleted or erased rows leave a tombstone in the change feed so every replica removes them (G7).
CREATE TABLE tombstones (
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  table_name text NOT NULL,
  row_id uuid NOT NULL,
  version bigint NOT NULL,
  PRIMARY KEY (org_id, table_name, row_id)
);
CREATE INDEX tombstones_org_version ON tombstones (org_id, version);
ALTER TABLE tombstones ENABLE ROW LEVEL SECURITY;
ALTER TABLE tombstones FORCE ROW LEVEL SECURITY;
CREATE POLICY org_isolation ON tombstones USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());

-- Tombstones older than this version may have been purged; a cursor behind it must refetch.
ALTER TABLE org_versions ADD COLUMN feed_horizon bigint NOT NULL DEFAULT 0;

-- Snapshot paging walks each table by id within the organization.
CREATE INDEX events_org_id ON events (org_id, id);
CREATE INDEX ticket_types_org_id ON ticket_types (org_id, id);
CREATE INDEX people_org_id ON people (org_id, id);
CREATE INDEX orders_org_id ON orders (org_id, id);
CREATE INDEX tickets_org_id ON tickets (org_id, id);

GRANT SELECT, INSERT, UPDATE, DELETE ON tombstones TO janix_app;

-- A device replicates what its role needs, fixed when it is enrolled (the enrolling member's role).
ALTER TABLE devices ADD COLUMN role text NOT NULL DEFAULT 'check_in'
  CHECK (role IN ('owner', 'admin', 'organizer', 'box_office', 'check_in'));
UPDATE devices d SET role = m.role FROM memberships m WHERE m.org_id = d.org_id AND m.user_id = d.enrolled_by;

DROP FUNCTION device_for_token(text);
CREATE FUNCTION device_for_token(p_token_hash text)
RETURNS TABLE (id uuid, org_id uuid, name text, role text, revoked_at timestamptz, last_seq bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
  $$ SELECT d.id, d.org_id, d.name, d.role, d.revoked_at, d.last_seq FROM devices d WHERE d.token_hash = p_token_hash $$;
REVOKE ALL ON FUNCTION device_for_token(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION device_for_token(text) TO janix_app;

-- Down Migration
DROP TABLE IF EXISTS tombstones;
ALTER TABLE org_versions DROP COLUMN IF EXISTS feed_horizon;
DROP INDEX IF EXISTS events_org_id, ticket_types_org_id, people_org_id, orders_org_id, tickets_org_id;
