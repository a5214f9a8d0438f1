import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { DemoOrg, DemoTicket } from '@janix/testkit';
import { encodeTicketPayload, formatTicketSecret } from '@janix/domain/ticket-secrets';
import { inTransaction, takeOrgVersions } from './db/org-transaction.ts';
import type { Pool, PoolClient } from './db/pools.ts';
import { createVerifyOnlyTicketKey } from './tickets/signing-keys.ts';

const BATCH = 2000;

type Column<T> = [name: string, pgType: string, pick: (row: T) => unknown];

/**
 * Inserts rows with one `unnest` statement per batch; each batch is its own org version so the change
 * feed pages through it in bounded pieces.
 */
async function bulkInsert<T>(
  client: PoolClient,
  orgId: string,
  table: string,
  columns: Column<T>[],
  rows: T[],
) {
  const names = columns.map(([name]) => name).join(', ');
  const arrays = columns.map(([, pgType], index) => `$${index + 3}::${pgType}[]`).join(', ');
  const sql = `INSERT INTO ${table} (org_id, version, ${names}) SELECT $1, $2, ${names} FROM unnest(${arrays}) AS t(${names})`;
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    const version = await takeOrgVersions(client, orgId);
    await client.query(sql, [orgId, version, ...columns.map(([, , pick]) => batch.map(pick))]);
  }
}

// Plain JavaScript, evaluated in a worker thread, so it runs wherever the seeder runs (tsx, vitest, bench)
// without a TypeScript loader there. It only signs: the payload layout stays in @janix/domain/ticket-secrets.
const SIGNER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { sign } = require('node:crypto');
const { privateKey, payloads, size } = workerData;
const signatures = new Uint8Array((payloads.length / size) * 64);
for (let at = 0, to = 0; at < payloads.length; at += size, to += 64) {
  signatures.set(sign(null, payloads.subarray(at, at + size), privateKey), to);
}
parentPort.postMessage(signatures, [signatures.buffer]);
`;

/**
 * Signs every ticket's secret in a worker thread while the rows before the tickets are inserted: at ~50 µs a
 * signature, 100k tickets take seconds of CPU, which then overlap the database's work instead of adding to it
 * (on the main thread they would also delay every database answer). Resolves once each ticket has its secret.
 * A seed that fails meanwhile leaves the worker to finish and exit by itself.
 */
function signSecretsMeanwhile(
  tickets: DemoTicket[],
  key: { kid: string; privateKey: KeyObject },
): Promise<void> {
  const payloads = tickets.map((ticket) =>
    encodeTicketPayload({
      kid: key.kid,
      ticketId: ticket.id,
      eventId: ticket.eventId,
      ticketTypeId: ticket.ticketTypeId,
    }),
  );
  const size = payloads[0]?.length ?? 0;
  const signed = new Promise<void>((resolve, reject) => {
    if (tickets.length === 0) return resolve();
    const worker = new Worker(SIGNER_SOURCE, {
      eval: true,
      workerData: { privateKey: key.privateKey, payloads: Buffer.concat(payloads), size },
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the ticket signing worker exited (${code})`)));
    worker.once('message', (signatures: Uint8Array) => {
      tickets.forEach((ticket, index) => {
        const signature = signatures.subarray(index * 64, (index + 1) * 64);
        ticket.secret = formatTicketSecret(payloads[index]!, signature);
      });
      resolve();
    });
  });
  // Awaited before the tickets are inserted; a failure before then must not surface as an unhandled rejection.
  signed.catch(() => {});
  return signed;
}

/**
 * Loads a generated demo organization; does nothing if its slug already exists. Returns whether it loaded.
 *
 * Tickets get secrets signed like any other (@janix/domain/ticket-secrets), so they verify at a scanner and no
 * two installs share them. The seeder runs without the server's secret, so it signs with a verify-only key of
 * the organization: its private half is used here and dropped, never stored; the server makes its own signing
 * key on first need. Each ticket's secret is written back into `demo`, so the caller knows what the server holds.
 */
export async function seedDemoOrg(adminPool: Pool, demo: DemoOrg): Promise<boolean> {
  return inTransaction(adminPool, { orgId: demo.org.id }, async (client) => {
    const existing = await client.query('SELECT 1 FROM organizations WHERE slug = $1', [demo.org.slug]);
    if (existing.rowCount) return false;
    // Demo history is no sale happening now: its buyers get no order emails (migration 1764800000500).
    await client.query("SELECT set_config('janix.order_emails', 'off', true)");
    const orgId = demo.org.id;
    await client.query('INSERT INTO organizations (id, name, slug) VALUES ($1, $2, $3)', [
      orgId,
      demo.org.name,
      demo.org.slug,
    ]);
    const signing = signSecretsMeanwhile(demo.tickets, await createVerifyOnlyTicketKey(client, orgId));
    for (const user of demo.users) {
      await client.query(
        `INSERT INTO users (id, email, display_name) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO UPDATE SET display_name = EXCLUDED.display_name`,
        [user.id, user.email, user.displayName],
      );
      await client.query(
        `INSERT INTO memberships (org_id, user_id, role) SELECT $1, id, $3 FROM users WHERE email = $2`,
        [orgId, user.email, user.role],
      );
    }
    await bulkInsert(
      client,
      orgId,
      'events',
      [
        ['id', 'uuid', (e) => e.id],
        ['name', 'text', (e) => e.name],
        ['venue', 'text', (e) => e.venue],
        ['starts_at', 'timestamptz', (e) => e.startsAt],
        ['ends_at', 'timestamptz', (e) => e.endsAt],
        ['status', 'text', (e) => e.status],
      ],
      demo.events,
    );
    // Each demo ticket type sells from a quota of its own, holding what the generated tickets sold.
    const sold = new Map<string, number>();
    for (const ticket of demo.tickets) {
      sold.set(ticket.ticketTypeId, (sold.get(ticket.ticketTypeId) ?? 0) + 1);
    }
    await bulkInsert(
      client,
      orgId,
      'quotas',
      [
        ['id', 'uuid', (t) => t.id],
        ['event_id', 'uuid', (t) => t.eventId],
        ['name', 'text', (t) => t.name],
        ['capacity', 'int', (t) => Math.max(t.capacity, sold.get(t.id) ?? 0)],
        ['sold', 'int', (t) => sold.get(t.id) ?? 0],
      ],
      demo.ticketTypes,
    );
    await bulkInsert(
      client,
      orgId,
      'ticket_types',
      [
        ['quota_id', 'uuid', (t) => t.id],
        ['id', 'uuid', (t) => t.id],
        ['event_id', 'uuid', (t) => t.eventId],
        ['name', 'text', (t) => t.name],
        ['price_cents', 'int', (t) => t.priceCents],
        ['currency', 'text', (t) => t.currency],
        ['capacity', 'int', (t) => t.capacity],
      ],
      demo.ticketTypes,
    );
    await bulkInsert(
      client,
      orgId,
      'people',
      [
        ['id', 'uuid', (p) => p.id],
        ['email', 'text', (p) => p.email],
        ['first_name', 'text', (p) => p.firstName],
        ['last_name', 'text', (p) => p.lastName],
        ['company', 'text', (p) => p.company],
        ['city', 'text', (p) => p.city],
        ['country', 'text', (p) => p.country],
        ['marketing_consent', 'bool', (p) => p.marketingConsent],
      ],
      demo.people,
    );
    await bulkInsert(
      client,
      orgId,
      'orders',
      [
        ['id', 'uuid', (o) => o.id],
        ['event_id', 'uuid', (o) => o.eventId],
        ['person_id', 'uuid', (o) => o.personId],
        ['code', 'text', (o) => o.code],
        ['channel', 'text', (o) => o.channel],
        ['total_cents', 'int', (o) => o.totalCents],
        ['currency', 'text', (o) => o.currency],
        ['created_at', 'timestamptz', (o) => o.createdAt],
      ],
      demo.orders,
    );
    await signing;
    await bulkInsert(
      client,
      orgId,
      'tickets',
      [
        ['id', 'uuid', (t) => t.id],
        ['order_id', 'uuid', (t) => t.orderId],
        ['event_id', 'uuid', (t) => t.eventId],
        ['ticket_type_id', 'uuid', (t) => t.ticketTypeId],
        ['person_id', 'uuid', (t) => t.personId],
        ['secret', 'text', (t) => t.secret],
      ],
      demo.tickets,
    );
    return true;
  });
}
