-- Up Migration

-- The box office: quotas shared across ticket types, device allocations (seats a box-office device may sell
-- offline), sales with payment details, refunds and voids with their audit trail, and cash drawer shifts.
-- Every table a command writes is replicated and carries who last changed it (updated_at, updated_by).

-- A quota is the capacity several ticket types draw from. `allocated` is what devices hold and have not sold
-- yet; the database itself refuses a row where sold and held seats exceed the capacity (G4's last wall).
CREATE TABLE quotas (
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  event_id uuid NOT NULL,
  name text NOT NULL,
  capacity int NOT NULL CHECK (capacity >= 0),
  sold int NOT NULL DEFAULT 0 CHECK (sold >= 0),
  allocated int NOT NULL DEFAULT 0 CHECK (allocated >= 0),
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, event_id) REFERENCES events (org_id, id) ON DELETE CASCADE,
  CONSTRAINT quota_not_oversold CHECK (sold + allocated <= capacity)
);
CREATE INDEX quotas_org_version ON quotas (org_id, version);

-- Every existing ticket type gets a quota of its own, holding its capacity and what it has sold.
ALTER TABLE ticket_types
  ADD COLUMN quota_id uuid,
  ADD COLUMN tax_rate_bp int NOT NULL DEFAULT 0 CHECK (tax_rate_bp BETWEEN 0 AND 10000),
  ADD COLUMN sales_start_at timestamptz,
  ADD COLUMN sales_end_at timestamptz,
  ADD COLUMN channels text NOT NULL DEFAULT 'box_office,online'
    CHECK (channels IN ('box_office', 'online', 'box_office,online')),
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN updated_by text;

ALTER TABLE ticket_types DISABLE TRIGGER ticket_types_update_takes_org_version;
INSERT INTO quotas (org_id, id, event_id, name, capacity, sold, version)
SELECT t.org_id, t.id, t.event_id, t.name, greatest(t.capacity, sold.count), sold.count, t.version
FROM ticket_types t
CROSS JOIN LATERAL (
  SELECT count(*)::int AS count FROM tickets k
  WHERE k.org_id = t.org_id AND k.ticket_type_id = t.id AND k.status = 'valid'
) sold;
UPDATE ticket_types SET quota_id = id;
ALTER TABLE ticket_types ENABLE TRIGGER ticket_types_update_takes_org_version;
ALTER TABLE ticket_types
  ALTER COLUMN quota_id SET NOT NULL,
  ADD FOREIGN KEY (org_id, quota_id) REFERENCES quotas (org_id, id);

-- A walk-up buyer may give no email; phone and age range are optional fields of the privacy policy.
ALTER TABLE people
  ALTER COLUMN email DROP NOT NULL,
  ADD COLUMN phone text,
  ADD COLUMN age_range text,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN updated_by text;

-- A cash drawer session of one device and cashier; one open shift per device at a time.
CREATE TABLE shifts (
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  device_id uuid NOT NULL,
  cashier text NOT NULL,
  opened_at timestamptz NOT NULL,
  float_cents int NOT NULL CHECK (float_cents >= 0),
  status text NOT NULL CHECK (status IN ('open', 'closed')),
  closed_at timestamptz,
  counted_cents int,
  expected_cents int,
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text,
  PRIMARY KEY (org_id, id)
);
CREATE INDEX shifts_org_version ON shifts (org_id, version);
CREATE UNIQUE INDEX shifts_one_open_per_device ON shifts (org_id, device_id) WHERE status = 'open';

-- Seats a device holds for offline sales. Slot n (0 <= n < granted) is one ticket whose id and signed secret
-- the server derives; `used` counts slots sold, `returned` what went back to the quota.
CREATE TABLE allocations (
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  quota_id uuid NOT NULL,
  event_id uuid NOT NULL,
  device_id uuid NOT NULL,
  shift_id uuid,
  requested int NOT NULL CHECK (requested > 0),
  granted int NOT NULL DEFAULT 0 CHECK (granted >= 0),
  used int NOT NULL DEFAULT 0 CHECK (used >= 0),
  returned int NOT NULL DEFAULT 0 CHECK (returned >= 0),
  status text NOT NULL CHECK (status IN ('requested', 'granted', 'refused', 'returned')),
  created_at timestamptz NOT NULL,
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, quota_id) REFERENCES quotas (org_id, id),
  CHECK (used + returned <= granted)
);
CREATE INDEX allocations_org_version ON allocations (org_id, version);
CREATE INDEX allocations_device ON allocations (org_id, device_id, status);

ALTER TABLE orders
  ADD COLUMN shift_id uuid,
  ADD COLUMN payment_method text CHECK (payment_method IN ('cash', 'comp', 'terminal', 'card')),
  ADD COLUMN payment_reference text,
  ADD COLUMN comp_reason text,
  ADD COLUMN tendered_cents int,
  ADD COLUMN change_cents int,
  ADD COLUMN tax_cents int NOT NULL DEFAULT 0,
  ADD COLUMN listed_total_cents int,
  ADD COLUMN refunded_at timestamptz,
  ADD COLUMN refund_reason text,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN updated_by text;
CREATE INDEX orders_shift ON orders (org_id, shift_id);

ALTER TABLE tickets
  DROP CONSTRAINT tickets_status_check,
  ADD CONSTRAINT tickets_status_check CHECK (status IN ('valid', 'void', 'refunded')),
  ADD COLUMN price_cents int NOT NULL DEFAULT 0,
  ADD COLUMN tax_cents int NOT NULL DEFAULT 0,
  ADD COLUMN allocation_id uuid,
  ADD COLUMN slot int,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN updated_by text;
CREATE UNIQUE INDEX tickets_allocation_slot ON tickets (org_id, allocation_id, slot) WHERE allocation_id IS NOT NULL;
CREATE INDEX tickets_order ON tickets (org_id, order_id);

CREATE TABLE cash_movements (
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  shift_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('paid_in', 'paid_out')),
  amount_cents int NOT NULL CHECK (amount_cents > 0),
  reason text NOT NULL,
  created_at timestamptz NOT NULL,
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, shift_id) REFERENCES shifts (org_id, id)
);
CREATE INDEX cash_movements_org_version ON cash_movements (org_id, version);

-- Who refunded or voided which order, when, on which device, and why.
CREATE TABLE order_audit (
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  order_id uuid NOT NULL,
  shift_id uuid,
  action text NOT NULL CHECK (action IN ('refund', 'void')),
  reason text NOT NULL,
  amount_cents int NOT NULL,
  method text,
  user_id uuid NOT NULL,
  user_name text NOT NULL,
  device_id uuid NOT NULL,
  created_at timestamptz NOT NULL,
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, order_id) REFERENCES orders (org_id, id)
);
CREATE INDEX order_audit_org_version ON order_audit (org_id, version);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['quotas', 'shifts', 'allocations', 'cash_movements', 'order_audit'] LOOP
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

-- Down Migration
DROP TABLE IF EXISTS order_audit, cash_movements, allocations, shifts CASCADE;
ALTER TABLE tickets
  DROP COLUMN IF EXISTS price_cents, DROP COLUMN IF EXISTS tax_cents, DROP COLUMN IF EXISTS allocation_id,
  DROP COLUMN IF EXISTS slot, DROP COLUMN IF EXISTS updated_at, DROP COLUMN IF EXISTS updated_by;
ALTER TABLE orders
  DROP COLUMN IF EXISTS shift_id, DROP COLUMN IF EXISTS payment_method, DROP COLUMN IF EXISTS payment_reference,
  DROP COLUMN IF EXISTS comp_reason, DROP COLUMN IF EXISTS tendered_cents, DROP COLUMN IF EXISTS change_cents,
  DROP COLUMN IF EXISTS tax_cents, DROP COLUMN IF EXISTS listed_total_cents, DROP COLUMN IF EXISTS refunded_at,
  DROP COLUMN IF EXISTS refund_reason, DROP COLUMN IF EXISTS updated_at, DROP COLUMN IF EXISTS updated_by;
ALTER TABLE people
  DROP COLUMN IF EXISTS phone, DROP COLUMN IF EXISTS age_range, DROP COLUMN IF EXISTS updated_at,
  DROP COLUMN IF EXISTS updated_by;
ALTER TABLE ticket_types
  DROP COLUMN IF EXISTS quota_id, DROP COLUMN IF EXISTS tax_rate_bp, DROP COLUMN IF EXISTS sales_start_at,
  DROP COLUMN IF EXISTS sales_end_at, DROP COLUMN IF EXISTS channels, DROP COLUMN IF EXISTS updated_at,
  DROP COLUMN IF EXISTS updated_by;
DROP TABLE IF EXISTS quotas CASCADE;
