import { inTransaction, takeOrgVersions } from '../db/org-transaction.ts';
import type { Pool } from '../db/pools.ts';

export const PURGE_TOMBSTONES = 'purge-tombstones';

export interface PurgeTombstonesDeps {
  /** The application pool: each organization is purged under its own row-level-security scope. */
  pool: Pool;
  now: () => Date;
  retentionDays: number;
  log: (line: string) => void;
}

export interface PurgeSummary {
  organizations: number;
  purged: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes the tombstones of one organization older than `cutoff` and raises its feed horizon to the highest
 * purged version, in one transaction: a pull never sees the tombstones gone while the horizon still admits a
 * cursor that needed them. GREATEST keeps the horizon from ever moving back. The purge also takes a new org
 * version: the feed's answers changed, and whatever remembers pages by version (shared feed pages) or waits
 * on versions (long polls) must hear of it.
 */
async function purgeOrganization(pool: Pool, orgId: string, cutoff: Date): Promise<number> {
  return inTransaction(pool, { orgId }, async (client) => {
    const result = await client.query<{ purged: number; highest: number | null }>(
      `WITH purged AS (DELETE FROM tombstones WHERE org_id = $1 AND created_at < $2 RETURNING version)
       SELECT count(*)::int AS purged, max(version) AS highest FROM purged`,
      [orgId, cutoff],
    );
    const { purged, highest } = result.rows[0]!;
    if (purged === 0) return 0;
    await client.query(
      'UPDATE org_versions SET feed_horizon = greatest(feed_horizon, $2) WHERE org_id = $1',
      [orgId, highest],
    );
    await takeOrgVersions(client, orgId);
    return purged;
  });
}

/**
 * Purges tombstones past retention, organization by organization. A console whose cursor falls behind a raised
 * horizon is told to refetch on its next pull, so deletions are never silently missed.
 */
export async function purgeTombstones(deps: PurgeTombstonesDeps): Promise<PurgeSummary> {
  const cutoff = new Date(deps.now().getTime() - deps.retentionDays * DAY_MS);
  const organizations = await deps.pool.query<{ org_id: string }>(
    'SELECT org_id FROM orgs_with_tombstones_before($1) AS org_id',
    [cutoff],
  );
  let purged = 0;
  for (const { org_id } of organizations.rows) purged += await purgeOrganization(deps.pool, org_id, cutoff);
  deps.log(`${PURGE_TOMBSTONES}: ${purged} tombstones purged in ${organizations.rows.length} organizations`);
  return { organizations: organizations.rows.length, purged };
}
