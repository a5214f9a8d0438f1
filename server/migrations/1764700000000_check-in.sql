-- Up Migration

-- Check-in: lists (what an entrance admits), scans (facts a device recorded, never refused at upload),
-- double-entry alerts the server finds when scans meet, and revoked tickets (what a scanner holding no tickets
-- checks besides the public keys of ticket_signing_keys). Every table is replicated like the box office's.

-- What one entrance admits. ticket_type_ids is a JSON array of ids (empty: every type of the event); the rules
-- (packages/domain checkin-rules.ts) read it, so it is checked for shape only.
CREATE TABLE checkin_lists (
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  event_id uuid NOT NULL,
  name text NOT NULL,
  ticket_type_ids text NOT NULL DEFAULT '[]' CHECK (ticket_type_ids LIKE '[%]'),
  valid_from timestamptz,
  valid_until timestamptz,
  allow_reentry bool NOT NULL DEFAULT false,
  allow_multiple_entries bool NOT NULL DEFAULT false,
  max_entries_per_day int CHECK (max_entries_per_day BETWEEN 1 AND 100),
  auto_checkout_at text CHECK (auto_checkout_at ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  time_zone text NOT NULL,
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, event_id) REFERENCES events (org_id, id) ON DELETE CASCADE
);
CREATE INDEX checkin_lists_org_version ON checkin_lists (org_id, version);

-- One scan, as the device decided it. ticket_id references nothing: a forged or foreign code names a ticket
-- this organization does not have, and its failed scan is recorded all the same.
CREATE TABLE check_ins (
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  list_id uuid NOT NULL,
  event_id uuid NOT NULL,
  ticket_id uuid,
  ticket_type_id uuid,
  direction text NOT NULL CHECK (direction IN ('entry', 'exit')),
  outcome text NOT NULL CHECK (outcome IN ('admitted', 'refused')),
  code text NOT NULL,
  reason text NOT NULL,
  device_id uuid NOT NULL,
  device_name text NOT NULL,
  scanned_at timestamptz NOT NULL,
  manual bool NOT NULL DEFAULT false,
  raw_excerpt text CHECK (char_length(raw_excerpt) <= 64),
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, list_id) REFERENCES checkin_lists (org_id, id) ON DELETE CASCADE
);
CREATE INDEX check_ins_org_version ON check_ins (org_id, version);
-- recordScan replays a ticket's scans for double entries.
CREATE INDEX check_ins_ticket ON check_ins (org_id, ticket_id);

CREATE TABLE entry_alerts (
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  event_id uuid NOT NULL,
  list_id uuid NOT NULL,
  ticket_id uuid NOT NULL,
  first_check_in_id uuid NOT NULL,
  first_device_name text NOT NULL,
  first_at timestamptz NOT NULL,
  second_check_in_id uuid NOT NULL,
  second_device_name text NOT NULL,
  second_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, list_id) REFERENCES checkin_lists (org_id, id) ON DELETE CASCADE
);
CREATE INDEX entry_alerts_org_version ON entry_alerts (org_id, version);
CREATE INDEX entry_alerts_event ON entry_alerts (org_id, event_id);
CREATE INDEX entry_alerts_ticket ON entry_alerts (org_id, ticket_id);

-- id is the ticket's id. No reference to tickets: the unsold seats of a returned allocation have printed codes
-- but no ticket row.
CREATE TABLE ticket_revocations (
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  event_id uuid NOT NULL,
  reason text NOT NULL CHECK (reason IN ('refunded', 'void', 'returned')),
  revoked_at timestamptz NOT NULL,
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text,
  PRIMARY KEY (org_id, id)
);
CREATE INDEX ticket_revocations_org_version ON ticket_revocations (org_id, version);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['checkin_lists', 'check_ins', 'entry_alerts', 'ticket_revocations'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY org_isolation ON %I USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO janix_app', t);
    EXECUTE format(
      'CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION require_org_version()', t || '_insert_takes_org_version', t);
    EXECUTE format(
      'CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION require_org_version()', t || '_update_takes_org_version', t);
  END LOOP;
END
$$;

-- ticket_signing_keys replicates from now on, its public columns only: pulls select the described columns
-- (packages/domain replicated-tables.ts), and private_key_sealed is not one of them.

-- A device's profile: 'no_attendee_data' holds no tickets, people or orders (it verifies signed codes alone).
-- Chosen at enrollment, changed by an admin; a change makes the device fetch its replica again.
ALTER TABLE devices
  ADD COLUMN profile text NOT NULL DEFAULT 'attendees' CHECK (profile IN ('attendees', 'no_attendee_data'));

DROP FUNCTION device_for_token(text);
CREATE FUNCTION device_for_token(p_token_hash text)
RETURNS TABLE (id uuid, org_id uuid, name text, role text, revoked_at timestamptz, last_seq bigint, profile text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
  $$ SELECT d.id, d.org_id, d.name, m.role, d.revoked_at, d.last_seq, d.profile
     FROM devices d LEFT JOIN memberships m ON m.org_id = d.org_id AND m.user_id = d.enrolled_by
     WHERE d.token_hash = p_token_hash $$;
REVOKE ALL ON FUNCTION device_for_token(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION device_for_token(text) TO janix_app;

-- Down Migration
DROP FUNCTION device_for_token(text);
CREATE FUNCTION device_for_token(p_token_hash text)
RETURNS TABLE (id uuid, org_id uuid, name text, role text, revoked_at timestamptz, last_seq bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
  $$ SELECT d.id, d.org_id, d.name, m.role, d.revoked_at, d.last_seq
     FROM devices d LEFT JOIN memberships m ON m.org_id = d.org_id AND m.user_id = d.enrolled_by
     WHERE d.token_hash = p_token_hash $$;
REVOKE ALL ON FUNCTION device_for_token(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION device_for_token(text) TO janix_app;
ALTER TABLE devices DROP COLUMN IF EXISTS profile;
DROP TABLE IF EXISTS entry_alerts, check_ins, ticket_revocations, checkin_lists CASCADE;
