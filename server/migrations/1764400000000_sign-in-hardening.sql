-- Up Migration

-- A sign-in code request waiting for its job (jobs/sign-in-code.ts). The request only records the address and
-- queues the job, so it answers in the same time whether or not an account exists; the job looks the account
-- up, makes the code and mails it, then deletes this row. The address sits here only until then (rows the job
-- never reached are purged after the code lifetime), never in the job queue's own tables.
CREATE TABLE sign_in_requests (
  id uuid PRIMARY KEY,
  email text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX sign_in_requests_created_at ON sign_in_requests (created_at);
CREATE INDEX sign_in_requests_email ON sign_in_requests (email);

-- The purge job (jobs/purge-sign-in.ts) deletes by age; these keep each run an index range scan.
CREATE INDEX login_codes_expires_at ON login_codes (expires_at);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_revoked_at ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX dev_mailbox_created_at ON dev_mailbox (created_at);
CREATE INDEX devices_revoked_at ON devices (revoked_at) WHERE revoked_at IS NOT NULL;

-- Devices revoked before the cutoff, across organizations (the application role sees one organization at a
-- time). Their command results go with them (ON DELETE CASCADE): the console they belonged to was wiped.
-- Returns how many devices were deleted, nothing else.
CREATE FUNCTION purge_revoked_devices(p_cutoff timestamptz)
RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS
  $$ WITH purged AS (DELETE FROM devices WHERE revoked_at < p_cutoff RETURNING 1)
     SELECT count(*)::int FROM purged $$;
REVOKE ALL ON FUNCTION purge_revoked_devices(timestamptz) FROM PUBLIC;

GRANT SELECT, INSERT, UPDATE, DELETE ON sign_in_requests TO janix_app;
GRANT EXECUTE ON FUNCTION purge_revoked_devices(timestamptz) TO janix_app;

-- Down Migration
DROP FUNCTION IF EXISTS purge_revoked_devices(timestamptz);
DROP INDEX IF EXISTS devices_revoked_at, dev_mailbox_created_at, sessions_revoked_at, sessions_expires_at,
  login_codes_expires_at;
DROP TABLE IF EXISTS sign_in_requests;
