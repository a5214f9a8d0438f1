-- Up Migration

-- The public web shop (server/src/web-shop/): a buyer with no account opens /shop/<event id> and pays on a
-- Stripe Checkout page; the seats are held and the order written by the card payment code (payments, kind
-- 'web_checkout').

-- A buyer's request names an event and no organization: which organization sells it, so the page and the
-- checkout run scoped to that organization (row-level security) like everything else. Only events on sale are
-- found, so a draft or cancelled event is as unknown to the public as one that does not exist.
CREATE FUNCTION shop_event_org(p_event_id uuid)
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
  $$ SELECT e.org_id FROM events e WHERE e.id = p_event_id AND e.status = 'on_sale' $$;
REVOKE ALL ON FUNCTION shop_event_org(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION shop_event_org(uuid) TO janix_app;

-- What a web buyer chose on the checkout form besides the tickets: the consent choices, each unticked unless the
-- buyer ticked it, and the privacy policy version they were shown. Kept as the record of the consent (when, to
-- which policy); `person_id` is the buyer the order was written for (a returning buyer's existing record), set
-- in the transaction that writes the order. people.marketing_consent (replicated) carries the marketing choice
-- to the consoles; the ad-audience and enrichment choices are read here by whatever would process for them.
-- Server-only: not replicated, no personal data of its own.
CREATE TABLE web_checkouts (
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  payment_id uuid NOT NULL,
  event_id uuid NOT NULL,
  marketing_consent boolean NOT NULL,
  ads_consent boolean NOT NULL,
  enrichment_consent boolean NOT NULL,
  policy_version text NOT NULL CHECK (policy_version ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  submitted_at timestamptz NOT NULL,
  person_id uuid,
  completed_at timestamptz,
  PRIMARY KEY (org_id, payment_id),
  FOREIGN KEY (org_id, payment_id) REFERENCES payments (org_id, id) ON DELETE CASCADE,
  -- Deferred: the order's transaction names the buyer before the table writer inserts a new one.
  FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id)
    ON DELETE SET NULL (person_id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX web_checkouts_person ON web_checkouts (org_id, person_id) WHERE person_id IS NOT NULL;

ALTER TABLE web_checkouts ENABLE ROW LEVEL SECURITY;
ALTER TABLE web_checkouts FORCE ROW LEVEL SECURITY;
CREATE POLICY org_isolation ON web_checkouts
  USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE ON web_checkouts TO janix_app;

-- Down Migration
DROP TABLE IF EXISTS web_checkouts;
DROP FUNCTION IF EXISTS shop_event_org(uuid);
