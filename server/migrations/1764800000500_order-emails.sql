-- Up Migration

-- Order emails (server/src/mail/order-emails.ts): each email an order calls for is a row here, written in the
-- same transaction as the order change that calls for it, so it can be neither lost nor queued twice. The row
-- is the outbox and the ledger at once: the job queue only wakes workers for it (jobs carry the row's id), a
-- worker holds the row locked while it sends, and Resend's idempotency key is derived from the row's id. The
-- columns up to sent_at replicate to consoles (delivery status on the order screen); the buyer's address is
-- never copied here: it is read from people when the email is sent.
CREATE TABLE order_emails (
  org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  order_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('confirmation', 'receipt', 'refund')),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
  attempts int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- Plain words for the console, never the address or the provider's own message (which may quote it).
  failure_reason text CHECK (char_length(failure_reason) <= 300),
  provider_message_id text CHECK (char_length(provider_message_id) <= 200),
  sent_at timestamptz,
  created_at timestamptz NOT NULL,
  -- Not replicated: when a worker may try next (backoff, a provider's retry-after).
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, order_id) REFERENCES orders (org_id, id) ON DELETE CASCADE
);
CREATE INDEX order_emails_org_version ON order_emails (org_id, version);
CREATE INDEX order_emails_order ON order_emails (org_id, order_id);
CREATE INDEX order_emails_due ON order_emails (next_attempt_at) WHERE status = 'queued';

ALTER TABLE order_emails ENABLE ROW LEVEL SECURITY;
ALTER TABLE order_emails FORCE ROW LEVEL SECURITY;
CREATE POLICY org_isolation ON order_emails USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON order_emails TO janix_app;
CREATE TRIGGER order_emails_insert_takes_org_version AFTER INSERT ON order_emails
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION require_org_version();
CREATE TRIGGER order_emails_update_takes_org_version AFTER UPDATE ON order_emails
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION require_org_version();

-- Which emails an order change calls for, decided where every writer of orders passes (the batch writer of
-- pushed commands, the server's own payment code, whatever comes later), by the row written rather than by
-- the command that wrote it: an order that becomes paid gets its confirmation (the tickets) and, when money
-- was taken, its receipt; a paid order refunded or voided gets a refund notice. Only for a buyer who gave an
-- address. At the order row's own version (its transaction took it), so the feed carries both together.
-- A writer that loads history rather than selling now (the demo seeder) sets janix.order_emails to 'off'.
CREATE FUNCTION queue_order_emails() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  v_kinds text[];
BEGIN
  IF current_setting('janix.order_emails', true) = 'off' OR NEW.person_id IS NULL THEN
    RETURN NULL;
  END IF;
  IF NEW.status = 'paid' AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'paid') THEN
    v_kinds := CASE WHEN NEW.total_cents > 0 THEN ARRAY['confirmation', 'receipt'] ELSE ARRAY['confirmation'] END;
  ELSIF TG_OP = 'UPDATE' AND OLD.status = 'paid' AND NEW.status IN ('refunded', 'void') THEN
    v_kinds := ARRAY['refund'];
  ELSE
    RETURN NULL;
  END IF;
  IF NOT EXISTS (
    SELECT 1 FROM people p
    WHERE p.org_id = NEW.org_id AND p.id = NEW.person_id AND coalesce(p.email, '') <> ''
  ) THEN
    RETURN NULL;
  END IF;
  INSERT INTO order_emails (org_id, id, order_id, kind, created_at, next_attempt_at, version, updated_at,
    updated_by)
  SELECT NEW.org_id, gen_random_uuid(), NEW.id, kind, NEW.updated_at, now(), NEW.version, NEW.updated_at,
    NEW.updated_by
  FROM unnest(v_kinds) AS kind;
  RETURN NULL;
END
$$;

CREATE TRIGGER orders_queue_emails AFTER INSERT OR UPDATE OF status ON orders
  FOR EACH ROW EXECUTE FUNCTION queue_order_emails();

-- Wakes the server's email workers when a transaction that queued an email commits (a notification is
-- delivered on commit only, and once per transaction). A missed one costs latency, never an email: a
-- periodic sweep finds every queued row that is due.
CREATE FUNCTION notify_order_emails() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM pg_notify('janix_order_emails', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER order_emails_wake_workers AFTER INSERT ON order_emails
  FOR EACH STATEMENT EXECUTE FUNCTION notify_order_emails();

-- The emails due now across organizations, oldest first (the application role sees one organization at a
-- time). Returns ids only.
CREATE FUNCTION due_order_emails(p_now timestamptz, p_limit int)
RETURNS TABLE (org_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
  $$ SELECT e.org_id, e.id FROM order_emails e
     WHERE e.status = 'queued' AND e.next_attempt_at <= p_now
     ORDER BY e.next_attempt_at LIMIT p_limit $$;
REVOKE ALL ON FUNCTION due_order_emails(timestamptz, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION due_order_emails(timestamptz, int) TO janix_app;

-- The dev mailbox keeps order mail too: each message lives as long as its kind needs (a sign-in code minutes,
-- an order's tickets days), its HTML part, and its attachments (name, type, size and content, base64).
ALTER TABLE dev_mailbox
  ADD COLUMN expires_at timestamptz,
  ADD COLUMN html_body text,
  ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]';
UPDATE dev_mailbox SET expires_at = created_at + interval '10 minutes';
ALTER TABLE dev_mailbox ALTER COLUMN expires_at SET NOT NULL;
CREATE INDEX dev_mailbox_expires_at ON dev_mailbox (expires_at);

-- Down Migration
DROP INDEX IF EXISTS dev_mailbox_expires_at;
ALTER TABLE dev_mailbox DROP COLUMN IF EXISTS attachments, DROP COLUMN IF EXISTS html_body,
  DROP COLUMN IF EXISTS expires_at;
DROP FUNCTION IF EXISTS due_order_emails(timestamptz, int);
DROP TRIGGER IF EXISTS orders_queue_emails ON orders;
DROP TABLE IF EXISTS order_emails;
DROP FUNCTION IF EXISTS notify_order_emails();
DROP FUNCTION IF EXISTS queue_order_emails();
