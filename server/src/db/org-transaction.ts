import type { Pool, PoolClient } from './pools.ts';

export interface Scope {
  orgId?: string | null;
  userId?: string | null;
}

export interface TransactionOptions {
  isolation?: 'READ COMMITTED' | 'REPEATABLE READ';
}

/**
 * Runs `work` in one transaction whose row-level-security scope is the given organization and user.
 * `set_config(..., true)` is transaction-local, so a pooled connection never carries a scope into the next use.
 */
export async function inTransaction<T>(
  pool: Pool,
  scope: Scope,
  work: (client: PoolClient) => Promise<T>,
  { isolation = 'READ COMMITTED' }: TransactionOptions = {},
): Promise<T> {
  const client = await pool.connect();
  try {
    // One round trip for all: a simple-protocol query may hold several statements, but no parameters, so
    // the scope goes in as escaped literals.
    await client.query(
      `BEGIN ISOLATION LEVEL ${isolation};
       SELECT set_config('app.org_id', ${client.escapeLiteral(scope.orgId ?? '')}, true),
              set_config('app.user_id', ${client.escapeLiteral(scope.userId ?? '')}, true)`,
    );
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export const ORG_CHANGES_CHANNEL = 'janix_org_changes';

/**
 * Takes the organization's next `count` versions and returns the last. The row lock is held to commit, so
 * version order is commit order. The notification is transactional too: listeners hear of the version only
 * once it is committed. The database refuses a replicated row written at a version its transaction did not
 * take here (migration 1764500000002), so a writer cannot forget this step.
 */
export async function takeOrgVersions(client: PoolClient, orgId: string, count = 1): Promise<number> {
  const result = await client.query<{ version: number }>(
    `SELECT version, pg_notify('${ORG_CHANGES_CHANNEL}', $1 || ':' || version)
     FROM take_org_versions($1::uuid, $2::int) AS version`,
    [orgId, count],
  );
  return result.rows[0]!.version;
}
