-- Up Migration

-- A device acts for the member who enrolled it: its replication scope follows that member's current role, and
-- it stops working when the member leaves the organization (role NULL: the server refuses it as revoked).
-- devices.role keeps the role it was enrolled with, as a record.
DROP FUNCTION device_for_token(text);
CREATE FUNCTION device_for_token(p_token_hash text)
RETURNS TABLE (id uuid, org_id uuid, name text, role text, revoked_at timestamptz, last_seq bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
  $$ SELECT d.id, d.org_id, d.name, m.role, d.revoked_at, d.last_seq
     FROM devices d LEFT JOIN memberships m ON m.org_id = d.org_id AND m.user_id = d.enrolled_by
     WHERE d.token_hash = p_token_hash $$;
REVOKE ALL ON FUNCTION device_for_token(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION device_for_token(text) TO janix_app;

-- Down Migration
DROP FUNCTION device_for_token(text);
CREATE FUNCTION device_for_token(p_token_hash text)
RETURNS TABLE (id uuid, org_id uuid, name text, role text, revoked_at timestamptz, last_seq bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
  $$ SELECT d.id, d.org_id, d.name, d.role, d.revoked_at, d.last_seq FROM devices d WHERE d.token_hash = p_token_hash $$;
REVOKE ALL ON FUNCTION device_for_token(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION device_for_token(text) TO janix_app;
