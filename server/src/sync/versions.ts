import { PROTOCOL_VERSION } from '@janix/schemas';
import { ReasonedError } from '../trpc/init.ts';

/** Replica schema versions this server can serve; a console outside the range must update. */
// Version 2: role-scoped column batches, snapshot then feed. Version 3: events carry updated_at and updated_by
// (who last changed them). Older consoles have no columns for them and must update. Version 5: check-in tables
// (lists, scans, alerts, signing keys, revocations). Version 6: card payments and card readers. Version 7:
// order emails.
export const SUPPORTED_SCHEMA_VERSIONS = { min: 7, max: 7 } as const;

export function assertSupportedVersions(header: { protocolVersion: number; schemaVersion: number }): void {
  if (
    header.protocolVersion !== PROTOCOL_VERSION ||
    header.schemaVersion < SUPPORTED_SCHEMA_VERSIONS.min ||
    header.schemaVersion > SUPPORTED_SCHEMA_VERSIONS.max
  ) {
    throw new ReasonedError({
      code: 'PRECONDITION_FAILED',
      reason: 'update_required',
      message: 'This console is out of date for the server. Update the console to keep syncing.',
      details: { protocolVersion: PROTOCOL_VERSION, schemaVersions: SUPPORTED_SCHEMA_VERSIONS },
    });
  }
}
