-- Up Migration

-- The application logs in as this role, which owns nothing, so row-level security applies to it (owners and
-- superusers bypass RLS). The server creates it with a password before migrating (db/app-role.ts); this
-- block only covers databases migrated by hand. Roles are cluster-wide: tolerate a concurrent creator.
DO $$
BEGIN
  CREATE ROLE janix_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

CREATE FUNCTION app_org_id() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.org_id', true), '')::uuid $$;
CREATE FUNCTION app_user_id() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;

CREATE TABLE organizations (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  slug text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id uuid PRIMARY KEY,
  email text NOT NULL UNIQUE CHECK (email = lower(email)),
  display_name text NOT NULL,
  platform_role text CHECK (platform_role IN ('privacy_admin')),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'organizer', 'box_office', 'check_in')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- Codes are looked up by a hash of the address and stored only as a hash.
CREATE TABLE login_codes (
  id uuid PRIMARY KEY,
  email_hash text NOT NULL,
  code_hash text NOT NULL,
  expires_at timestamptz NOT NULL,
  attempts int NOT NULL DEFAULT 0,
  consumed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Orders codes of one address exactly, even when two are requested within the same millisecond.
  seq bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX login_codes_email ON login_codes (email_hash, seq DESC);

CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);

CREATE TABLE devices (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  enrolled_by uuid NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz,
  revoked_at timestamptz,
  -- High-water mark of the device's gapless command sequence, advanced in the command's own transaction.
  last_seq bigint NOT NULL DEFAULT 0
);
CREATE INDEX devices_org ON devices (org_id);

-- One row per organization, bumped by every writing transaction and held until commit, so version order is
-- commit order and a pull cursor can never skip a late-committing transaction.
CREATE TABLE org_versions (
  org_id uuid PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
  version bigint NOT NULL DEFAULT 0
);

CREATE TABLE events (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name text NOT NULL,
  venue text NOT NULL DEFAULT '',
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('draft', 'on_sale', 'cancelled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version bigint NOT NULL
);
CREATE INDEX events_org_version ON events (org_id, version);

CREATE TABLE ticket_types (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  event_id uuid NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  name text NOT NULL,
  price_cents int NOT NULL CHECK (price_cents >= 0),
  currency char(3) NOT NULL,
  capacity int NOT NULL CHECK (capacity >= 0),
  version bigint NOT NULL
);
CREATE INDEX ticket_types_org_version ON ticket_types (org_id, version);

CREATE TABLE people (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  email text NOT NULL,
  first_name text NOT NULL,
  last_name text NOT NULL,
  company text,
  city text,
  country text,
  marketing_consent boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  version bigint NOT NULL,
  UNIQUE (org_id, email)
);
CREATE INDEX people_org_version ON people (org_id, version);

CREATE TABLE orders (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  event_id uuid NOT NULL REFERENCES events(id),
  person_id uuid REFERENCES people(id),
  code text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('online', 'box_office')),
  status text NOT NULL DEFAULT 'paid' CHECK (status IN ('pending', 'paid', 'refunded', 'void')),
  total_cents int NOT NULL,
  currency char(3) NOT NULL,
  created_at timestamptz NOT NULL,
  version bigint NOT NULL,
  UNIQUE (org_id, code)
);
CREATE INDEX orders_org_version ON orders (org_id, version);

CREATE TABLE tickets (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  event_id uuid NOT NULL REFERENCES events(id),
  ticket_type_id uuid NOT NULL REFERENCES ticket_types(id),
  person_id uuid REFERENCES people(id),
  secret text NOT NULL,
  status text NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'void')),
  version bigint NOT NULL
);
CREATE INDEX tickets_org_version ON tickets (org_id, version);

-- What happened to each command a device pushed, kept so rejections reach the console and stay in its history.
CREATE TABLE command_results (
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  device_id uuid NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  name text NOT NULL,
  status text NOT NULL CHECK (status IN ('applied', 'rejected')),
  code text,
  message text,
  user_id uuid REFERENCES users(id),
  client_time timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, seq)
);

-- Development mailbox: where mail goes when no email provider is configured.
CREATE TABLE dev_mailbox (
  id uuid PRIMARY KEY,
  to_address text NOT NULL,
  subject text NOT NULL,
  text_body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Row-level security: the second wall behind the application's checks.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['devices','org_versions','events','ticket_types','people','orders','tickets','command_results'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY org_isolation ON %I USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id())', t);
  END LOOP;
END
$$;

ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY org_read ON organizations FOR SELECT
  USING (id = app_org_id() OR id IN (SELECT org_id FROM memberships WHERE user_id = app_user_id()));
CREATE POLICY org_write ON organizations FOR UPDATE USING (id = app_org_id()) WITH CHECK (id = app_org_id());

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY membership_read ON memberships FOR SELECT USING (org_id = app_org_id() OR user_id = app_user_id());
CREATE POLICY membership_write ON memberships FOR ALL USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());

-- A device authenticates before its organization is known; this narrow lookup by token hash is the only
-- path around RLS for devices, and it returns one row or none.
CREATE FUNCTION device_for_token(p_token_hash text)
RETURNS TABLE (id uuid, org_id uuid, name text, revoked_at timestamptz, last_seq bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
  $$ SELECT d.id, d.org_id, d.name, d.revoked_at, d.last_seq FROM devices d WHERE d.token_hash = p_token_hash $$;
REVOKE ALL ON FUNCTION device_for_token(text) FROM PUBLIC;

GRANT USAGE ON SCHEMA public TO janix_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO janix_app;
GRANT EXECUTE ON FUNCTION device_for_token(text), app_org_id(), app_user_id() TO janix_app;
REVOKE ALL ON pgmigrations FROM janix_app;

-- Down Migration
DROP TABLE IF EXISTS dev_mailbox, command_results, tickets, orders, people, ticket_types, events, org_versions,
  devices, sessions, login_codes, memberships, users, organizations CASCADE;
DROP FUNCTION IF EXISTS device_for_token(text);
DROP FUNCTION IF EXISTS app_org_id();
DROP FUNCTION IF EXISTS app_user_id();
