import type {
  DeviceProfile,
  OrgRole,
  PullResult,
  ReplicatedTableName,
  TableBatch,
  TableChecksum,
} from '@janix/schemas';
import { columnsForRole, tableSpec, tablesForDevice } from '@janix/domain';
import { inTransaction } from '../db/org-transaction.ts';
import type { Pool, PoolClient } from '../db/pools.ts';
import { ReasonedError } from '../trpc/init.ts';
import { decodeCursor, encodeCursor, type FeedCursor } from './cursor.ts';
import type { SharedFeedPages } from './shared-feed-pages.ts';
import type { SnapshotReadAhead } from './snapshot-read-ahead.ts';

export interface PullRequest {
  cursor: string | null;
  limit: number;
  knownSeq: number;
  checksums: boolean;
  resync?: ReplicatedTableName[] | undefined;
}

interface DeviceScope {
  id: string;
  orgId: string;
  role: OrgRole;
  /** What the device holds besides its role's scope: a device without attendee data gets fewer tables. */
  profile: DeviceProfile;
}

/** What a replica is filled with: its role's columns of the tables its role and profile receive. */
type Scope = Pick<DeviceScope, 'role' | 'profile'>;

const scopeTables = (scope: Scope): ReplicatedTableName[] =>
  tablesForDevice(scope.role, scope.profile).map((spec) => spec.name);

/** Whether a cursor was issued for the device's current role and profile (one from before profiles: 'attendees'). */
function filledFor(cursor: FeedCursor, scope: Scope): boolean {
  return cursor.r === scope.role && (cursor.p ?? 'attendees') === scope.profile;
}

function mustRefetch(): ReasonedError {
  return new ReasonedError({
    code: 'PRECONDITION_FAILED',
    reason: 'must_refetch',
    message: 'The sync position is not valid for this server; the replica must be fetched again.',
  });
}

function selectList(table: ReplicatedTableName, role: OrgRole): string {
  const spec = tableSpec(table);
  const types = new Map(spec.columns.map((column) => [column.name, column.type]));
  // Column names come from the fixed table specification, never from input. Timestamps leave Postgres as
  // the ISO text a console stores: formatting them there is much cheaper than a JS Date per row and back.
  return columnsForRole(spec, role)
    .map((column) =>
      types.get(column) === 'timestamptz'
        ? `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${column}`
        : column,
    )
    .join(', ');
}

async function rowsAsArrays(client: PoolClient, sql: string, params: unknown[]): Promise<unknown[][]> {
  const result = await client.query({ text: sql, values: params, rowMode: 'array' });
  return result.rows as unknown[][];
}

/** One page of a table snapshot, walking by id; RLS keeps it inside the organization. */
async function snapshotPage(client: PoolClient, cursor: FeedCursor, role: OrgRole, limit: number) {
  const batches: TableBatch[] = [];
  let snap = cursor.snap!;
  let budget = limit;
  while (budget > 0) {
    const table = snap.tables[0]!;
    const rows = await rowsAsArrays(
      client,
      `SELECT ${selectList(table, role)} FROM ${table} WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2`,
      [snap.after, budget],
    );
    if (rows.length) batches.push({ table, columns: columnsForRole(tableSpec(table), role), rows });
    budget -= rows.length;
    if (rows.length > 0 && budget === 0) {
      snap = { tables: snap.tables, after: String(rows.at(-1)![0]) };
      break;
    }
    const remaining = snap.tables.slice(1);
    if (remaining.length === 0)
      return { batches, next: { o: cursor.o, r: cursor.r, p: cursor.p, v: cursor.v } satisfies FeedCursor };
    snap = { tables: remaining, after: null };
  }
  return { batches, next: { ...cursor, snap } satisfies FeedCursor };
}

async function snapshotRemaining(client: PoolClient, cursor: FeedCursor): Promise<number> {
  if (!cursor.snap) return 0;
  // One statement for every table: the first continues after the cursor's id, the rest are whole.
  const counts = cursor.snap.tables.map((table, index) =>
    index === 0
      ? `(SELECT count(*) FROM ${table} WHERE ($1::uuid IS NULL OR id > $1))`
      : `(SELECT count(*) FROM ${table})`,
  );
  const result = await client.query<{ n: number }>(`SELECT (${counts.join(' + ')})::int AS n`, [
    cursor.snap.after,
  ]);
  return result.rows[0]!.n;
}

/**
 * The feed after version v: rows and tombstones of every table the role replicates, ending on a version
 * boundary so a page never splits one transaction's changes (and the cursor never skips one, G5).
 */
async function feedPage(client: PoolClient, cursor: FeedCursor, scope: Scope, limit: number, head: number) {
  const { role } = scope;
  const tables = scopeTables(scope);
  const fetched = new Map<ReplicatedTableName, unknown[][]>();
  // Every version below `complete` has all its rows in hand: each table stopped at or beyond it.
  let complete = Number.POSITIVE_INFINITY;
  // Every table and the tombstones in one round trip: a live commit wakes many devices at once, and on a
  // busy server each round trip also waits its turn for the CPU. Several statements in one simple query
  // take no parameters; the two numbers are checked integers, everything else comes from the table spec.
  if (!Number.isSafeInteger(cursor.v) || !Number.isSafeInteger(limit)) throw mustRefetch();
  const statements = [
    ...tables.map(
      (table) =>
        `SELECT ${selectList(table, role)} FROM ${table} WHERE version > ${cursor.v} ORDER BY version LIMIT ${limit + 1}`,
    ),
    `SELECT table_name, row_id, version FROM tombstones WHERE version > ${cursor.v} ORDER BY version LIMIT ${limit + 1}`,
  ];
  const answer: unknown = await client.query({ text: statements.join(';\n'), rowMode: 'array' });
  // One result per statement (node-postgres answers a lone statement with a bare result).
  const results = (Array.isArray(answer) ? answer : [answer]) as Array<{ rows: unknown[][] }>;
  tables.forEach((table, index) => {
    const rows = results[index]!.rows;
    fetched.set(table, rows);
    if (rows.length > limit) complete = Math.min(complete, Number(rows[limit]![1]));
  });
  let tombstoneRows = {
    rows: results[tables.length]!.rows.map(([table_name, row_id, version]) => ({
      table_name: table_name as ReplicatedTableName,
      row_id: row_id as string,
      version: Number(version),
    })),
  };
  if (tombstoneRows.rows.length > limit) complete = Math.min(complete, tombstoneRows.rows[limit]!.version);
  const versions = [...fetched.values()].flat().map((row) => Number(row[1]));
  versions.push(...tombstoneRows.rows.map((row) => row.version));
  if (versions.length > limit) complete = Math.min(complete, versions.sort((a, b) => a - b)[limit]!);

  let until = Number.isFinite(complete) ? complete - 1 : head;
  if (until <= cursor.v && Number.isFinite(complete)) {
    // One version larger than a page is sent whole rather than split across cursors.
    until = complete;
    for (const table of tables) {
      fetched.set(
        table,
        await rowsAsArrays(client, `SELECT ${selectList(table, role)} FROM ${table} WHERE version = $1`, [
          complete,
        ]),
      );
    }
    tombstoneRows = await client.query<{ table_name: ReplicatedTableName; row_id: string; version: number }>(
      'SELECT table_name, row_id, version FROM tombstones WHERE version = $1',
      [complete],
    );
  }
  const batches: TableBatch[] = [];
  for (const table of tables) {
    const rows = fetched.get(table)!.filter((row) => Number(row[1]) <= until);
    if (rows.length) batches.push({ table, columns: columnsForRole(tableSpec(table), role), rows });
  }
  const tombstonesByTable = new Map<ReplicatedTableName, string[]>();
  for (const row of tombstoneRows.rows) {
    if (row.version > until || !tables.includes(row.table_name)) continue;
    tombstonesByTable.set(row.table_name, [...(tombstonesByTable.get(row.table_name) ?? []), row.row_id]);
  }
  return {
    batches,
    tombstones: [...tombstonesByTable].map(([table, ids]) => ({ table, ids })),
    next: { o: cursor.o, r: cursor.r, p: cursor.p, v: until } satisfies FeedCursor,
    hasMore: until < head,
  };
}

async function feedRemaining(client: PoolClient, scope: Scope, after: number): Promise<number> {
  let total = 0;
  for (const table of scopeTables(scope)) {
    const result = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} WHERE version > $1`,
      [after],
    );
    total += result.rows[0]!.n;
  }
  return total;
}

/** Count and sum of versions per table, over exactly what this role and profile replicate. */
async function tableChecksums(client: PoolClient, scope: Scope): Promise<TableChecksum[]> {
  const checksums: TableChecksum[] = [];
  for (const table of scopeTables(scope)) {
    const result = await client.query<{ count: number; version_sum: string }>(
      `SELECT count(*)::int AS count, coalesce(sum(version), 0)::text AS version_sum FROM ${table}`,
    );
    checksums.push({
      table,
      count: result.rows[0]!.count,
      versionSum: Number(result.rows[0]!.version_sum),
    });
  }
  return checksums;
}

type SharedPage = Omit<PullResult, 'lastAppliedSeq' | 'rejections'>;

/**
 * One page of the organization's replication stream for a device. The page itself depends only on the
 * organization, the role's scope and the position, so feed pages are shared between devices waiting at the
 * same position (`SharedFeedPages`); what is the device's own (its high-water mark, its rejections) is added.
 */
/** Where pull pages come from besides a fresh read: shared by devices at one position, or read ahead. */
export interface PullPageSources {
  shared: SharedFeedPages;
  readAhead: SnapshotReadAhead;
}

export async function pullChanges(
  pool: Pool,
  pages: PullPageSources,
  device: DeviceScope & { lastSeq: number },
  request: PullRequest,
): Promise<PullResult> {
  const feedOnly = request.cursor !== null && !request.resync?.length;
  const decoded = request.cursor === null ? null : decodeCursor(request.cursor);
  const readAheadKey = (cursor: string) =>
    `${device.id}|${device.role}|${device.profile}|${cursor}|${request.limit}`;
  let page: SharedPage;
  if (feedOnly && decoded && !decoded.snap && decoded.o === device.orgId && filledFor(decoded, device)) {
    page = await pages.shared.read(
      device.orgId,
      `${device.role}|${device.profile}|${decoded.v}|${request.limit}|${request.checksums}`,
      () => readPage(pool, device, request),
    );
  } else {
    const early =
      feedOnly && decoded?.snap ? pages.readAhead.take<SharedPage>(readAheadKey(request.cursor!)) : null;
    page = await (early ?? readPage(pool, device, request));
    if (page.progress.phase === 'snapshot' && page.hasMore) {
      const next = { ...request, cursor: page.cursor, resync: undefined };
      pages.readAhead.start(readAheadKey(page.cursor), () => readPage(pool, device, next));
    }
  }
  return {
    ...page,
    // Read when the request was authenticated, before the page was read (a shared page is never older than
    // a version this process committed): every command counted here has its effect in the page.
    lastAppliedSeq: device.lastSeq,
    rejections: device.lastSeq > request.knownSeq ? await newRejections(pool, device, request.knownSeq) : [],
  };
}

/** Rejections travel with the feed too, so one whose push response was lost still reaches the console. */
async function newRejections(
  pool: Pool,
  device: DeviceScope,
  knownSeq: number,
): Promise<PullResult['rejections']> {
  const rejections = await inTransaction(pool, { orgId: device.orgId }, (client) =>
    client.query<{ seq: number; name: string; code: string; message: string; created_at: Date }>(
      `SELECT seq, name, code, message, created_at FROM command_results
       WHERE device_id = $1 AND status = 'rejected' AND seq > $2 ORDER BY seq LIMIT 1000`,
      [device.id, knownSeq],
    ),
  );
  return rejections.rows.map((row) => ({
    seq: row.seq,
    name: row.name,
    code: row.code,
    message: row.message,
    rejectedAt: row.created_at.toISOString(),
  }));
}

/** The page after the request's cursor, read in one snapshot. */
/** Rows in the whole of a snapshot of these tables, counted in their own transaction. */
async function snapshotSize(pool: Pool, orgId: string, tables: ReplicatedTableName[]): Promise<number> {
  const counts = tables.map((table) => `(SELECT count(*) FROM ${table})`);
  const result = await inTransaction(pool, { orgId }, (client) =>
    client.query<{ n: number }>(`SELECT (${counts.join(' + ')})::int AS n`),
  );
  return result.rows[0]!.n;
}

async function readPage(pool: Pool, device: DeviceScope, request: PullRequest): Promise<SharedPage> {
  // A new replica's progress bar needs the snapshot's size. Counting 200k rows takes as long as reading the
  // first page, so count beside it on another connection (only an estimate is needed; the console counts
  // down) instead of after it while the console waits.
  const initialSize = request.cursor === null ? snapshotSize(pool, device.orgId, scopeTables(device)) : null;
  initialSize?.catch(() => {});
  return inTransaction(
    pool,
    { orgId: device.orgId },
    async (client) => {
      const head = await client.query<{ version: number; feed_horizon: number }>(
        'SELECT version, feed_horizon FROM org_versions WHERE org_id = $1',
        [device.orgId],
      );
      const headVersion = head.rows[0]?.version ?? 0;
      const horizon = head.rows[0]?.feed_horizon ?? 0;
      const roleTables = scopeTables(device);

      let cursor: FeedCursor;
      if (request.cursor === null) {
        cursor = {
          o: device.orgId,
          r: device.role,
          p: device.profile,
          v: headVersion,
          snap: { tables: roleTables, after: null },
        };
      } else {
        const decoded = decodeCursor(request.cursor);
        // Foreign, forged, from the future, behind purged tombstones, or filled for a role or profile the
        // device no longer has (its member was demoted, an admin took its attendee data away: rows it may no
        // longer hold must go): it cannot continue from it.
        if (
          !decoded ||
          decoded.o !== device.orgId ||
          !filledFor(decoded, device) ||
          decoded.v > headVersion ||
          decoded.v < horizon
        )
          throw mustRefetch();
        if (decoded.snap && decoded.snap.tables.some((table) => !roleTables.includes(table)))
          throw mustRefetch();
        cursor = decoded;
      }
      if (request.resync?.length) {
        // Reload the resync tables, and still load any the snapshot had not reached yet.
        const pending = cursor.snap?.tables ?? [];
        const tables = roleTables.filter(
          (table) => pending.includes(table) || request.resync!.includes(table),
        );
        const current = cursor.snap?.tables[0];
        const keepPosition =
          current !== undefined && !request.resync.includes(current) && tables[0] === current;
        if (tables.length)
          cursor = { ...cursor, snap: { tables, after: keepPosition ? cursor.snap!.after : null } };
      }

      if (cursor.snap) {
        const page = await snapshotPage(client, cursor, device.role, request.limit);
        // Counting is not free; it happens once, when a snapshot starts, and the console counts down.
        const delivered = page.batches.reduce((sum, batch) => sum + batch.rows.length, 0);
        // A new replica's snapshot starts at the head: nothing follows it in the feed yet. A resync keeps
        // its feed position, so what the feed holds after it is still to come too.
        const remaining = initialSize
          ? Math.max(0, (await initialSize) - delivered)
          : request.resync?.length
            ? (await snapshotRemaining(client, page.next)) + (await feedRemaining(client, device, cursor.v))
            : null;
        return {
          headVersion,
          cursor: encodeCursor(page.next),
          hasMore: true,
          batches: page.batches,
          tombstones: [],
          checksums: null,
          progress: { phase: 'snapshot' as const, remainingRows: remaining },
        };
      }
      const page = await feedPage(client, cursor, device, request.limit, headVersion);
      return {
        headVersion,
        cursor: encodeCursor(page.next),
        hasMore: page.hasMore,
        batches: page.batches,
        tombstones: page.tombstones,
        checksums: !page.hasMore && request.checksums ? await tableChecksums(client, device) : null,
        progress: {
          phase: 'feed' as const,
          remainingRows: page.hasMore ? await feedRemaining(client, device, page.next.v) : 0,
        },
      };
    },
    { isolation: 'REPEATABLE READ' },
  );
}
