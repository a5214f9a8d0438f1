-- Up Migration

-- Each organization's Ed25519 keys for ticket secrets (@janix/domain/ticket-secrets, server/src/tickets/). The
-- public half replicates to scanners so they verify tickets offline; the private half never leaves the server
-- and is kept sealed (AES-256-GCM under a key derived from the server's secret, tickets/key-sealing.ts), so a
-- copy of the database alone cannot mint tickets.
--
-- Signing uses the newest key that is neither retired nor verify-only. Older keys keep verifying until they
-- are retired. A verify-only key (no private half) is one whose private key was dropped after use: the demo
-- seeder signs its tickets with one, since it runs without the server's secret.
CREATE TABLE ticket_signing_keys (
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  -- The 4 bytes a secret names its key by, as 8 hex digits.
  kid text NOT NULL CHECK (kid ~ '^[0-9a-f]{8}$'),
  -- Base64 (RFC 4648 section 4, padded) of the raw 32-byte Ed25519 public key, not SPKI DER.
  public_key text NOT NULL CHECK (public_key ~ '^[A-Za-z0-9+/]{43}=$'),
  -- 'v1.' + base64url(nonce, ciphertext of the 32-byte private seed, tag); NULL for a verify-only key.
  private_key_sealed text CHECK (private_key_sealed ~ '^v1\.[A-Za-z0-9_-]+$'),
  -- clock_timestamp, not now(): two keys made in one transaction still have an order.
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  retired_at timestamptz,
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text,
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, kid)
);
CREATE INDEX ticket_signing_keys_org_version ON ticket_signing_keys (org_id, version);

ALTER TABLE ticket_signing_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE ticket_signing_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY org_isolation ON ticket_signing_keys
  USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
-- No DELETE: a key is retired, never deleted, so no ticket it signed turns silently unverifiable.
GRANT SELECT, INSERT, UPDATE ON ticket_signing_keys TO janix_app;

-- Replicated (public columns) like the other tables, so a key row is written only at a version its transaction
-- took (migration 1764500000002).
CREATE TRIGGER ticket_signing_keys_insert_takes_org_version AFTER INSERT ON ticket_signing_keys
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION require_org_version();
CREATE TRIGGER ticket_signing_keys_update_takes_org_version AFTER UPDATE ON ticket_signing_keys
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION require_org_version();

-- Down Migration
DROP TABLE IF EXISTS ticket_signing_keys CASCADE;
