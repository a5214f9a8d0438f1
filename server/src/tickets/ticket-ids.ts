import { createHash } from 'node:crypto';

const LABEL = Buffer.from('janix allocation ticket id v1\0', 'utf8');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The id of the ticket in slot `slot` of an allocation: SHA-256 over a fixed label, the allocation id's 16 bytes
 * and the slot as a big-endian u32, cut to an RFC 9562 version 8 UUID. Deterministic, so the server can tell
 * that a ticket a device sold offline is slot n of that device's allocation, and pre-sign the slot's secret
 * before the sale. 122 bits of a hash keep ids of different allocations from meeting.
 */
export function deriveTicketId(allocationId: string, slot: number): string {
  if (!UUID.test(allocationId))
    throw new TypeError(`allocation id is not a UUID: ${JSON.stringify(allocationId)}`);
  if (!Number.isInteger(slot) || slot < 0 || slot > 0xffff_ffff) {
    throw new RangeError(`slot must be an integer from 0 to 2^32 - 1, got ${slot}`);
  }
  const slotBytes = Buffer.alloc(4);
  slotBytes.writeUInt32BE(slot);
  const id = createHash('sha256')
    .update(LABEL)
    .update(Buffer.from(allocationId.replaceAll('-', ''), 'hex'))
    .update(slotBytes)
    .digest()
    .subarray(0, 16);
  id[6] = (id[6]! & 0x0f) | 0x80; // version 8: custom
  id[8] = (id[8]! & 0x3f) | 0x80; // variant 10 (RFC 9562)
  const hex = id.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
