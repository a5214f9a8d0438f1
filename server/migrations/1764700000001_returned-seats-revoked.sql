-- Up Migration

-- The unsold seats of an allocation that goes back to its quota (a shift's close, a revoked device) are
-- revoked: their signed codes may have been printed, or sold offline on a device whose sales never arrived,
-- and a scanner that verifies codes alone would otherwise admit them. A trigger, so every path that returns
-- an allocation (the closeShift rule through the batch writer, the revocation of a device) does it.

-- The id of the ticket in slot `slot` of an allocation, exactly as server/src/tickets/ticket-ids.ts derives it:
-- SHA-256 over a fixed label, the allocation id's 16 bytes and the slot as a big-endian u32, cut to an
-- RFC 9562 version 8 UUID (test/check-in.test.ts holds the two to each other).
CREATE FUNCTION allocation_slot_ticket_id(p_allocation uuid, p_slot int) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT SET search_path = public, pg_temp AS $$
  SELECT encode(
    set_byte(
      set_byte(h, 6, (get_byte(h, 6) & 15) | 128),
      8, (get_byte(h, 8) & 63) | 128
    ), 'hex')::uuid
  FROM (
    SELECT substring(
      sha256(convert_to('janix allocation ticket id v1', 'UTF8') || '\x00'::bytea || uuid_send(p_allocation)
        || int4send(p_slot))
      FROM 1 FOR 16) AS h
  ) digest
$$;

CREATE FUNCTION revoke_returned_seats() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  -- At the allocation's own version: the transaction took it, so the feed carries both together.
  INSERT INTO ticket_revocations (org_id, id, event_id, reason, revoked_at, version, updated_at, updated_by)
  SELECT NEW.org_id, allocation_slot_ticket_id(NEW.id, seat.n), NEW.event_id, 'returned', NEW.updated_at,
    NEW.version, NEW.updated_at, NEW.updated_by
  FROM generate_series(0, NEW.granted - 1) AS seat(n)
  WHERE NOT EXISTS (
    SELECT 1 FROM tickets t WHERE t.org_id = NEW.org_id AND t.allocation_id = NEW.id AND t.slot = seat.n
  )
  ON CONFLICT (org_id, id) DO NOTHING;
  RETURN NULL;
END
$$;

CREATE TRIGGER allocations_returned_seats_revoked AFTER UPDATE OF status ON allocations
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM 'returned' AND NEW.status = 'returned')
  EXECUTE FUNCTION revoke_returned_seats();

-- Down Migration
DROP TRIGGER IF EXISTS allocations_returned_seats_revoked ON allocations;
DROP FUNCTION IF EXISTS revoke_returned_seats();
DROP FUNCTION IF EXISTS allocation_slot_ticket_id(uuid, int);
