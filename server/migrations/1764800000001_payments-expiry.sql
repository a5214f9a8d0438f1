-- Up Migration

-- The expiry job (server/src/payments/expire-payments.ts) looks across organizations for open card payments
-- past their time, then handles each under its own organization's scope (row-level security), as the
-- tombstone purge does. Only the organization and the payment id come out.
CREATE FUNCTION open_payments_due(p_at timestamptz)
RETURNS TABLE (org_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
  $$ SELECT p.org_id, p.id FROM payments p
     WHERE p.status IN ('pending', 'waiting_for_card', 'processing') AND p.expires_at < p_at
     ORDER BY p.expires_at LIMIT 500 $$;
REVOKE ALL ON FUNCTION open_payments_due(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION open_payments_due(timestamptz) TO janix_app;

-- Down Migration
DROP FUNCTION IF EXISTS open_payments_due(timestamptz);
