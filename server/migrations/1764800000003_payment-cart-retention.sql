-- Up Migration

-- A card payment's cart names its buyer (when one was given) until the sale is made or the money went back. A
-- payment that ended unpaid keeps it only while money may still arrive for it (then the sale is attached);
-- after that the expiry job clears it (server/src/payments/card-payments.ts clearStaleCarts). Only the
-- organization and the payment id come out, as for open_payments_due.
CREATE FUNCTION payments_with_stale_carts(p_before timestamptz)
RETURNS TABLE (org_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
  $$ SELECT p.org_id, p.id FROM payments p
     WHERE p.cart IS NOT NULL AND p.status IN ('declined', 'cancelled', 'expired', 'failed')
       AND p.updated_at < p_before
     ORDER BY p.updated_at LIMIT 500 $$;
REVOKE ALL ON FUNCTION payments_with_stale_carts(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION payments_with_stale_carts(timestamptz) TO janix_app;

-- Down Migration
DROP FUNCTION IF EXISTS payments_with_stale_carts(timestamptz);
