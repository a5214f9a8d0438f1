import { randomUUID } from 'node:crypto';
import {
  createTRPCClient,
  httpBatchLink,
  httpBatchStreamLink,
  splitLink,
  TRPCClientError,
} from '@trpc/client';
import {
  PROTOCOL_VERSION,
  type CommandEnvelope,
  type CommandName,
  type EnrolledDevice,
  type ReplicatedTableName,
} from '@janix/schemas';
import { replicatedTableNames } from '@janix/domain';
import type { DemoOrg } from '@janix/testkit';
import { inTransaction, takeOrgVersions } from '../src/db/org-transaction.ts';
import { SUPPORTED_SCHEMA_VERSIONS } from '../src/sync/versions.ts';
import type { AppRouter } from '../src/trpc/router.ts';
import { latestSignInCode, type TestServer } from '../src/testing.ts';

/** Shared helpers for the server suites (not a test file itself). */

export interface Credentials {
  session?: string | null;
  device?: string | null;
  /** The dev-mailbox secret (header x-janix-dev-mailbox). */
  devMailbox?: string | null;
}

export function apiClient(server: TestServer, credentials: Credentials = {}) {
  const http = {
    url: `${server.url}/trpc`,
    headers() {
      const headers: Record<string, string> = {};
      if (credentials.session) headers.authorization = `Bearer ${credentials.session}`;
      if (credentials.device) headers['x-janix-device'] = `Bearer ${credentials.device}`;
      if (credentials.devMailbox) headers['x-janix-dev-mailbox'] = credentials.devMailbox;
      return headers;
    },
  };
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.path === 'sync.live',
        true: httpBatchStreamLink({ ...http, maxItems: 1 }),
        false: httpBatchLink(http),
      }),
    ],
  });
}
export type ApiClient = ReturnType<typeof apiClient>;

export interface ServerError {
  message: string;
  code: string | undefined;
  httpStatus: number | undefined;
  reason: string | null | undefined;
  details: Record<string, unknown> | null | undefined;
  zodError: { fieldErrors: Record<string, string[] | undefined> } | null | undefined;
}

/** Awaits a call that must fail with a tRPC error and returns what the server said. */
export async function serverError(call: Promise<unknown>): Promise<ServerError> {
  let outcome: unknown;
  try {
    outcome = await call;
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    const data = (error.data ?? {}) as {
      code?: string;
      httpStatus?: number;
      reason?: string | null;
      details?: Record<string, unknown> | null;
      zodError?: ServerError['zodError'];
    };
    return {
      message: error.message,
      code: data.code,
      httpStatus: data.httpStatus,
      reason: data.reason,
      details: data.details,
      zodError: data.zodError,
    };
  }
  throw new Error(`expected the call to fail, but it returned ${JSON.stringify(outcome)}`);
}

export async function signIn(
  server: TestServer,
  email: string,
): Promise<{ session: string; userId: string }> {
  const api = apiClient(server);
  await api.auth.requestCode.mutate({ email });
  const code = await latestSignInCode(server, email);
  const result = await api.auth.verifyCode.mutate({ email, code });
  return { session: result.sessionToken, userId: result.user.id };
}

export async function enroll(
  server: TestServer,
  session: string,
  orgId: string,
  name = `Till ${randomUUID().slice(0, 8)}`,
): Promise<EnrolledDevice> {
  return apiClient(server, { session }).devices.enroll.mutate({ orgId, name });
}

/** A newly enrolled device with a client that speaks as it and its member. */
export async function enrolledDevice(server: TestServer, session: string, orgId: string, name?: string) {
  const device = await enroll(server, session, orgId, name);
  return {
    id: device.deviceId,
    token: device.deviceToken,
    api: apiClient(server, { session, device: device.deviceToken }),
  };
}

/** The header of a console of the newest replica schema this server speaks. */
export const versions = {
  protocolVersion: PROTOCOL_VERSION,
  schemaVersion: SUPPORTED_SCHEMA_VERSIONS.max,
} as const;

export function command(seq: number, name: CommandName | (string & {}), args: unknown): CommandEnvelope {
  return { seq, name, args, clientTime: new Date().toISOString() };
}

export function rename(seq: number, eventId: string, name: string): CommandEnvelope {
  return command(seq, 'updateEvent', { eventId, patch: { name } });
}

export function eventDraft(name = 'Test night') {
  return {
    name,
    venue: 'Pier 9',
    startsAt: '2026-12-05T19:00:00Z',
    endsAt: '2026-12-05T23:00:00Z',
    status: 'draft' as const,
  };
}

/**
 * A second demo organization that can live next to the first in one database: its own slug, name and
 * user addresses (users.email is unique across the platform).
 */
export function asSecondOrg(demo: DemoOrg, label: string): DemoOrg {
  return {
    ...demo,
    org: { ...demo.org, name: `${label} Festival`, slug: label.toLowerCase() },
    users: demo.users.map((user) => ({
      ...user,
      email: user.email.replace('@', `+${label.toLowerCase()}@`),
    })),
  };
}

export function ownerOf(demo: DemoOrg): string {
  return demo.users.find((user) => user.role === 'owner')!.email;
}

export function memberWithRole(demo: DemoOrg, role: DemoOrg['users'][number]['role']): string {
  return demo.users.find((user) => user.role === role)!.email;
}

/** Polls until `check` holds, failing after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export type PullPage = Awaited<ReturnType<ApiClient['sync']['pull']['query']>>;

export interface PullOptions {
  cursor?: string | null;
  limit?: number;
  knownSeq?: number;
  checksums?: boolean;
  /** Sent with the first page only, as a console does after a checksum mismatch. */
  resync?: ReplicatedTableName[];
}

/** Pages through the replication stream from `cursor` (null: initial sync) until `hasMore` is false. */
export async function pullAll(
  api: ApiClient,
  options: PullOptions = {},
): Promise<{ pages: PullPage[]; cursor: string }> {
  const pages: PullPage[] = [];
  let cursor = options.cursor ?? null;
  for (let i = 0; i < 1000; i += 1) {
    const page = await api.sync.pull.query({
      ...versions,
      cursor,
      limit: options.limit ?? 1000,
      knownSeq: options.knownSeq ?? 0,
      checksums: options.checksums ?? false,
      ...(i === 0 && options.resync ? { resync: options.resync } : {}),
    });
    pages.push(page);
    cursor = page.cursor;
    if (!page.hasMore) return { pages, cursor };
  }
  throw new Error('the change feed never ended');
}

/** One replicated row as an object keyed by the batch's columns (which always begin with id, version). */
export interface DeliveredRow {
  table: ReplicatedTableName;
  row: Record<string, unknown> & { id: string; version: number };
}

/** Flattens column batches into one object per row, in delivery order. */
export function flattenBatches(batches: PullPage['batches']): DeliveredRow[] {
  return batches.flatMap((batch) => {
    if (batch.columns[0] !== 'id' || batch.columns[1] !== 'version') {
      throw new Error(`batch of ${batch.table} does not begin with id, version: ${batch.columns.join(', ')}`);
    }
    return batch.rows.map((values) => {
      if (values.length !== batch.columns.length) {
        throw new Error(
          `a ${batch.table} row has ${values.length} values for ${batch.columns.length} columns`,
        );
      }
      const row = Object.fromEntries(batch.columns.map((column, index) => [column, values[index]]));
      return { table: batch.table, row: row as DeliveredRow['row'] };
    });
  });
}

/** Every row of every page, flattened, in delivery order. */
export function deliveredRows(pages: PullPage[]): DeliveredRow[] {
  return pages.flatMap((page) => flattenBatches(page.batches));
}

/** `table:id:version` for each delivered row. */
export function rowKeys(rows: DeliveredRow[]): string[] {
  return rows.map(({ table, row }) => `${table}:${row.id}:${row.version}`);
}

/** A console's replica reduced to what the protocol guarantees: per table, id → row. */
export type Replica = Map<ReplicatedTableName, Map<string, DeliveredRow['row']>>;

/** Applies pages as a console would: upsert every row (never going back a version), drop tombstoned ids. */
export function applyPages(replica: Replica, pages: PullPage[]): Replica {
  for (const page of pages) {
    for (const { table, row } of flattenBatches(page.batches)) {
      let rows = replica.get(table);
      if (!rows) replica.set(table, (rows = new Map()));
      const held = rows.get(row.id);
      if (!held || held.version <= row.version) rows.set(row.id, row);
    }
    for (const { table, ids } of page.tombstones) for (const id of ids) replica.get(table)?.delete(id);
  }
  return replica;
}

/** Per-table id → version of a replica, for comparing with the server's tables. */
export function replicaVersions(replica: Replica): Record<string, Record<string, number>> {
  return Object.fromEntries(
    [...replica].map(([table, rows]) => [
      table,
      Object.fromEntries([...rows].map(([id, row]) => [id, row.version])),
    ]),
  );
}

/** Count and sum of versions per table, as the server computes its checksums, over a replica. */
export function replicaChecksums(replica: Replica, tables: readonly ReplicatedTableName[]) {
  return tables.map((table) => {
    const rows = [...(replica.get(table)?.values() ?? [])];
    return { table, count: rows.length, versionSum: rows.reduce((sum, row) => sum + row.version, 0) };
  });
}

/** What the server holds for an organization, read past row-level security: per table, id → version. */
export async function serverVersions(
  server: TestServer,
  orgId: string,
  tables: readonly ReplicatedTableName[] = replicatedTableNames,
): Promise<Record<string, Record<string, number>>> {
  const result: Record<string, Record<string, number>> = {};
  for (const table of tables) {
    const rows = await server.db.adminPool.query<{ id: string; version: number }>(
      `SELECT id, version FROM ${table} WHERE org_id = $1`,
      [orgId],
    );
    result[table] = Object.fromEntries(rows.rows.map((row) => [row.id, row.version]));
  }
  return result;
}

/** The organization's current version, read past row-level security. */
export async function orgHead(server: TestServer, orgId: string): Promise<number> {
  const result = await server.db.adminPool.query<{ version: number }>(
    'SELECT version FROM org_versions WHERE org_id = $1',
    [orgId],
  );
  return result.rows[0]?.version ?? 0;
}

/**
 * Rewrites a server-issued cursor (base64url JSON `{o, v, snap?}`), as a forger or a confused console might.
 * Tests that must not depend on the cursor's format do not use this.
 */
export function tamperCursor(
  cursor: string,
  change: (decoded: { o: string; v: number; snap?: unknown }) => Record<string, unknown>,
): string {
  const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o: string; v: number };
  return Buffer.from(JSON.stringify(change(decoded))).toString('base64url');
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; error: ServerError };

/** Runs a call that may fail, so a test can assert on several outcomes before failing. */
export async function attempt<T>(call: Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await call };
  } catch (error) {
    return { ok: false, error: await serverError(Promise.reject(error)) };
  }
}

/** The rows `seedBoxOfficeRows` wrote, by table. */
export interface BoxOfficeRows {
  shifts: string;
  allocations: string;
  cash_movements: string;
  order_audit: string;
  checkin_lists: string;
  check_ins: string;
  entry_alerts: string;
  ticket_revocations: string;
  card_readers: string;
  payments: string;
  order_emails: string;
  /** Not replicated: the web shop's record of a checkout's consent choices (of the seeded payment). */
  web_checkouts: string;
}

/**
 * One row in each replicated table the demo seeder leaves empty: a closed cash drawer shift of the box office
 * member with one paid-in, an allocation handed back whole (so its quota's counts stay as seeded), and a
 * void in the order audit (of the last order, which stays as seeded: only the audit row matters here), and
 * the check-in tables' rows (seedCheckInRows, in a version of their own). A suite that proves something of every replicated table needs rows in each; an empty table proves nothing.
 * Written as any writer must, at a version its transaction took.
 */
export async function seedBoxOfficeRows(server: TestServer, demo: DemoOrg): Promise<BoxOfficeRows> {
  const orgId = demo.org.id;
  const cashier = demo.users.find((user) => user.role === 'box_office')!;
  // The demo seeder gives each ticket type a quota of its own, with the ticket type's id.
  const quota = demo.ticketTypes[0]!;
  const order = demo.orders.at(-1)!;
  const deviceId = randomUUID();
  const rows = { shifts: randomUUID(), allocations: randomUUID(), cash_movements: randomUUID() };
  const audit = randomUUID();
  const boxOffice = await inTransaction(server.db.adminPool, { orgId }, async (client) => {
    const version = await takeOrgVersions(client, orgId);
    await client.query(
      `INSERT INTO shifts (org_id, id, device_id, cashier, opened_at, float_cents, status, closed_at,
         counted_cents, expected_cents, version)
       VALUES ($1, $2, $3, $4, now() - interval '8 hours', 20000, 'closed', now(), 23000, 23000, $5)`,
      [orgId, rows.shifts, deviceId, cashier.displayName, version],
    );
    await client.query(
      `INSERT INTO allocations (org_id, id, quota_id, event_id, device_id, shift_id, requested, granted, used,
         returned, status, created_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, 2, 2, 0, 2, 'returned', now() - interval '8 hours', $7)`,
      [orgId, rows.allocations, quota.id, quota.eventId, deviceId, rows.shifts, version],
    );
    await client.query(
      `INSERT INTO cash_movements (org_id, id, shift_id, kind, amount_cents, reason, created_at, version)
       VALUES ($1, $2, $3, 'paid_in', 3000, 'Change from the bank', now() - interval '7 hours', $4)`,
      [orgId, rows.cash_movements, rows.shifts, version],
    );
    await client.query(
      `INSERT INTO order_audit (org_id, id, order_id, shift_id, action, reason, amount_cents, method, user_id,
         user_name, device_id, created_at, version)
       VALUES ($1, $2, $3, $4, 'void', 'Entered twice', $5, 'cash', $6, $7, $8, now() - interval '6 hours', $9)`,
      [
        orgId,
        audit,
        order.id,
        rows.shifts,
        order.totalCents,
        cashier.id,
        cashier.displayName,
        deviceId,
        version,
      ],
    );
    return { ...rows, order_audit: audit };
  });
  return {
    ...boxOffice,
    ...(await seedCheckInRows(server, demo)),
    ...(await seedPaymentRows(server, demo, deviceId)),
    ...(await seedOrderEmailRows(server, demo)),
  };
}

/** The last order's confirmation, refused by the mail provider, in a version of its own. */
async function seedOrderEmailRows(server: TestServer, demo: DemoOrg) {
  const orgId = demo.org.id;
  const rows = { order_emails: randomUUID() };
  await inTransaction(server.db.adminPool, { orgId }, async (client) => {
    const version = await takeOrgVersions(client, orgId);
    await client.query(
      `INSERT INTO order_emails (org_id, id, order_id, kind, status, attempts, failure_reason, created_at, version)
       VALUES ($1, $2, $3, 'confirmation', 'failed', 1, 'Resend refused the email (validation_error 422).',
         now(), $4)`,
      [orgId, rows.order_emails, demo.orders.at(-1)!.id, version],
    );
  });
  return rows;
}

/** A card reader of the till and a card payment on it the buyer cancelled, in a version of their own. */
async function seedPaymentRows(server: TestServer, demo: DemoOrg, deviceId: string) {
  const orgId = demo.org.id;
  const event = demo.events[0]!;
  const rows = { card_readers: randomUUID(), payments: randomUUID() };
  await inTransaction(server.db.adminPool, { orgId }, async (client) => {
    const version = await takeOrgVersions(client, orgId);
    await client.query(
      `INSERT INTO card_readers (org_id, id, label, stripe_reader_id, device_id, status, created_at, version)
       VALUES ($1, $2, 'Till reader', $3, $4, 'active', now(), $5)`,
      [orgId, rows.card_readers, `tmr_Seeded${rows.card_readers.slice(0, 8)}`, deviceId, version],
    );
    await client.query(
      `INSERT INTO payments (org_id, id, kind, status, event_id, order_id, device_id, reader_id, amount_cents,
         currency, failure_reason, created_at, version)
       VALUES ($1, $2, 'terminal', 'cancelled', $3, $4, $5, $6, 2500, 'EUR', 'Cancelled at the till.', now(), $7)`,
      [orgId, rows.payments, event.id, randomUUID(), deviceId, rows.card_readers, version],
    );
    await client.query(
      `INSERT INTO web_checkouts (org_id, payment_id, event_id, marketing_consent, ads_consent,
         enrichment_consent, policy_version, submitted_at)
       VALUES ($1, $2, $3, false, false, false, '2026-02-04', now())`,
      [orgId, rows.payments, event.id],
    );
  });
  return { ...rows, web_checkouts: rows.payments };
}

/**
 * A check-in list at the first ticket's event with one admitted scan, a double-entry alert naming it, and a
 * revoked (returned) ticket: rows in each check-in table, in a version of their own.
 */
async function seedCheckInRows(server: TestServer, demo: DemoOrg) {
  const orgId = demo.org.id;
  const ticket = demo.tickets[0]!;
  const rows = {
    checkin_lists: randomUUID(),
    check_ins: randomUUID(),
    entry_alerts: randomUUID(),
    ticket_revocations: randomUUID(),
  };
  await inTransaction(server.db.adminPool, { orgId }, async (client) => {
    const version = await takeOrgVersions(client, orgId);
    await client.query(
      `INSERT INTO checkin_lists (org_id, id, event_id, name, time_zone, version)
       VALUES ($1, $2, $3, 'Main entrance', 'Europe/Berlin', $4)`,
      [orgId, rows.checkin_lists, ticket.eventId, version],
    );
    await client.query(
      `INSERT INTO check_ins (org_id, id, list_id, event_id, ticket_id, ticket_type_id, direction, outcome, code,
         reason, device_id, device_name, scanned_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, 'entry', 'admitted', 'admitted', 'Valid ticket', $7, 'Door 1',
         now() - interval '5 hours', $8)`,
      [
        orgId,
        rows.check_ins,
        rows.checkin_lists,
        ticket.eventId,
        ticket.id,
        ticket.ticketTypeId,
        randomUUID(),
        version,
      ],
    );
    await client.query(
      `INSERT INTO entry_alerts (org_id, id, event_id, list_id, ticket_id, first_check_in_id, first_device_name,
         first_at, second_check_in_id, second_device_name, second_at, created_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, 'Door 1', now() - interval '5 hours', $2, 'Door 2',
         now() - interval '4 hours', now(), $7)`,
      [orgId, rows.entry_alerts, ticket.eventId, rows.checkin_lists, ticket.id, rows.check_ins, version],
    );
    await client.query(
      `INSERT INTO ticket_revocations (org_id, id, event_id, reason, revoked_at, version)
       VALUES ($1, $2, $3, 'returned', now(), $4)`,
      [orgId, rows.ticket_revocations, ticket.eventId, version],
    );
  });
  return rows;
}
