-- Up Migration

-- Card payments through Stripe (server/src/payments/): the organization's Terminal readers, each card payment
-- and where it stands, and the Stripe events the server received. No card data anywhere (privacy policy): only
-- Stripe's ids, the card's brand and its last four digits.

-- A Stripe Terminal reader of the organization, assigned to at most one box-office device (and a device charges
-- on at most one reader). Replicated (packages/domain replicated-tables.ts); written by the server only.
CREATE TABLE card_readers (
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  label text NOT NULL CHECK (char_length(label) BETWEEN 1 AND 100),
  stripe_reader_id text NOT NULL CHECK (stripe_reader_id ~ '^tmr_[A-Za-z0-9]+$'),
  stripe_location_id text CHECK (stripe_location_id ~ '^tml_[A-Za-z0-9]+$'),
  device_type text CHECK (char_length(device_type) <= 60),
  serial_number text CHECK (char_length(serial_number) <= 60),
  device_id uuid,
  status text NOT NULL CHECK (status IN ('active', 'removed')),
  created_at timestamptz NOT NULL,
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text,
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, stripe_reader_id)
);
CREATE INDEX card_readers_org_version ON card_readers (org_id, version);
CREATE UNIQUE INDEX card_readers_one_per_device ON card_readers (org_id, device_id)
  WHERE status = 'active' AND device_id IS NOT NULL;

-- One card payment. The described columns replicate; `cart`, `holds` and `refunds` stay on the server (pulls
-- select the described columns only, as with ticket_signing_keys.private_key_sealed):
--   cart: what the payment buys, to write the order when it succeeds (lines with their prices, the buyer if
--     given, the shift, who started it); cleared once the order is written or the money went back.
--   holds: seats held from each quota while the payment is open ({"<quota id>": seats}), counted in
--     quotas.allocated so sold + allocated <= capacity keeps holding; emptied when they are sold or released.
--   refunds: each card refund asked for ([{id, stripeRefundId, amountCents, status}]), by our refund id.
CREATE TABLE payments (
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('terminal', 'checkout_link', 'web_checkout')),
  status text NOT NULL CHECK (status IN ('pending', 'waiting_for_card', 'processing', 'succeeded', 'declined',
    'cancelled', 'expired', 'failed', 'partially_refunded', 'refunded')),
  event_id uuid NOT NULL,
  order_id uuid NOT NULL,
  shift_id uuid,
  device_id uuid,
  reader_id uuid,
  amount_cents int NOT NULL CHECK (amount_cents > 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  refunded_cents int NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0 AND refunded_cents <= amount_cents),
  stripe_payment_intent_id text CHECK (stripe_payment_intent_id ~ '^pi_[A-Za-z0-9]+$'),
  stripe_checkout_session_id text CHECK (stripe_checkout_session_id ~ '^cs_[A-Za-z0-9_]+$'),
  checkout_url text CHECK (checkout_url ~ '^https://' AND char_length(checkout_url) <= 2000),
  card_brand text CHECK (card_brand ~ '^[a-z_]{1,30}$'),
  card_last4 text CHECK (card_last4 ~ '^[0-9]{4}$'),
  failure_reason text CHECK (char_length(failure_reason) <= 500),
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  completed_at timestamptz,
  cart jsonb,
  holds jsonb NOT NULL DEFAULT '{}',
  refunds jsonb NOT NULL DEFAULT '[]',
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text,
  PRIMARY KEY (org_id, id),
  -- One payment per order: a second charge of the same sale is the same payment.
  UNIQUE (org_id, order_id),
  FOREIGN KEY (org_id, reader_id) REFERENCES card_readers (org_id, id)
);
CREATE INDEX payments_org_version ON payments (org_id, version);
-- Stripe's ids are unique across its accounts: a webhook names a payment by them alone.
CREATE UNIQUE INDEX payments_payment_intent ON payments (stripe_payment_intent_id)
  WHERE stripe_payment_intent_id IS NOT NULL;
CREATE UNIQUE INDEX payments_checkout_session ON payments (stripe_checkout_session_id)
  WHERE stripe_checkout_session_id IS NOT NULL;
-- The expiry job looks for open payments past their time.
CREATE INDEX payments_open ON payments (expires_at)
  WHERE status IN ('pending', 'waiting_for_card', 'processing');

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['card_readers', 'payments'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY org_isolation ON %I USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id())', t);
    -- No DELETE: a payment is a ledger entry and a reader is removed by its status.
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I TO janix_app', t);
    EXECUTE format(
      'CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION require_org_version()', t || '_insert_takes_org_version', t);
    EXECUTE format(
      'CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS new_rows
       FOR EACH STATEMENT EXECUTE FUNCTION require_org_version()', t || '_update_takes_org_version', t);
  END LOOP;
END
$$;

-- A webhook arrives with no organization: which one a Stripe object's payment belongs to, so its handling runs
-- scoped to that organization (row-level security) like everything else. Only the organization and the payment
-- id come out.
CREATE FUNCTION payment_for_stripe_object(p_stripe_id text)
RETURNS TABLE (org_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
  $$ SELECT p.org_id, p.id FROM payments p
     WHERE p.stripe_payment_intent_id = p_stripe_id OR p.stripe_checkout_session_id = p_stripe_id $$;
REVOKE ALL ON FUNCTION payment_for_stripe_object(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION payment_for_stripe_object(text) TO janix_app;

-- Every Stripe event received, stored before it is acted on: a repeated delivery (same id) is answered without
-- acting again. Holds no organization and no personal data: the event's id, type and object id, and what the
-- server did with it.
CREATE TABLE stripe_events (
  id text PRIMARY KEY CHECK (id ~ '^evt_[A-Za-z0-9_]+$'),
  type text NOT NULL CHECK (char_length(type) <= 100),
  object_id text CHECK (char_length(object_id) <= 255),
  -- When Stripe created the event (its `created`), which orders events of one object.
  created_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  outcome text CHECK (char_length(outcome) <= 200)
);
GRANT SELECT, INSERT, UPDATE ON stripe_events TO janix_app;

-- A card refund may give back part of a payment: the tickets stay valid and the audit says how much went back.
ALTER TABLE order_audit DROP CONSTRAINT order_audit_action_check;
ALTER TABLE order_audit ADD CONSTRAINT order_audit_action_check
  CHECK (action IN ('refund', 'void', 'partial_refund'));

-- Down Migration
ALTER TABLE order_audit DROP CONSTRAINT order_audit_action_check;
ALTER TABLE order_audit ADD CONSTRAINT order_audit_action_check CHECK (action IN ('refund', 'void'));
DROP TABLE IF EXISTS stripe_events;
DROP FUNCTION IF EXISTS payment_for_stripe_object(text);
DROP TABLE IF EXISTS payments, card_readers CASCADE;
