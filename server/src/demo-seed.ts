import type { DemoOrg } from '@janix/testkit';
import { inTransaction, nextOrgVersion } from './db/org-transaction.ts';
import type { Pool, PoolClient } from './db/pools.ts';

const BATCH = 2000;

async function insertBatches<T>(
  client: PoolClient,
  orgId: string,
  rows: T[],
  insert: (batch: T[], version: number) => Promise<unknown>,
): Promise<void> {
  for (let start = 0; start < rows.length; start += BATCH) {
    // Each batch is its own version so the change feed pages through it in bounded pieces.
    const version = await nextOrgVersion(client, orgId);
    await insert(rows.slice(start, start + BATCH), version);
  }
}

/** Loads a generated demo organization; does nothing if its slug already exists. Returns whether it loaded. */
export async function seedDemoOrg(adminPool: Pool, demo: DemoOrg): Promise<boolean> {
  return inTransaction(adminPool, { orgId: demo.org.id }, async (client) => {
    const existing = await client.query('SELECT 1 FROM organizations WHERE slug = $1', [demo.org.slug]);
    if (existing.rowCount) return false;
    const orgId = demo.org.id;
    await client.query('INSERT INTO organizations (id, name, slug) VALUES ($1, $2, $3)', [
      orgId,
      demo.org.name,
      demo.org.slug,
    ]);
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
    await insertBatches(client, orgId, demo.events, (batch, version) =>
      client.query(
        `INSERT INTO events (id, org_id, name, venue, starts_at, ends_at, status, version)
         SELECT id, $1, name, venue, starts_at, ends_at, status, $2
         FROM unnest($3::uuid[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::text[])
           AS t(id, name, venue, starts_at, ends_at, status)`,
        [
          orgId,
          version,
          batch.map((e) => e.id),
          batch.map((e) => e.name),
          batch.map((e) => e.venue),
          batch.map((e) => e.startsAt),
          batch.map((e) => e.endsAt),
          batch.map((e) => e.status),
        ],
      ),
    );
    await insertBatches(client, orgId, demo.ticketTypes, (batch, version) =>
      client.query(
        `INSERT INTO ticket_types (id, org_id, event_id, name, price_cents, currency, capacity, version)
         SELECT id, $1, event_id, name, price_cents, currency, capacity, $2
         FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::int[], $7::text[], $8::int[])
           AS t(id, event_id, name, price_cents, currency, capacity)`,
        [
          orgId,
          version,
          batch.map((t) => t.id),
          batch.map((t) => t.eventId),
          batch.map((t) => t.name),
          batch.map((t) => t.priceCents),
          batch.map((t) => t.currency),
          batch.map((t) => t.capacity),
        ],
      ),
    );
    await insertBatches(client, orgId, demo.people, (batch, version) =>
      client.query(
        `INSERT INTO people (id, org_id, email, first_name, last_name, company, city, country, marketing_consent, version)
         SELECT id, $1, email, first_name, last_name, company, city, country, marketing_consent, $2
         FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bool[])
           AS t(id, email, first_name, last_name, company, city, country, marketing_consent)`,
        [
          orgId,
          version,
          batch.map((p) => p.id),
          batch.map((p) => p.email),
          batch.map((p) => p.firstName),
          batch.map((p) => p.lastName),
          batch.map((p) => p.company),
          batch.map((p) => p.city),
          batch.map((p) => p.country),
          batch.map((p) => p.marketingConsent),
        ],
      ),
    );
    await insertBatches(client, orgId, demo.orders, (batch, version) =>
      client.query(
        `INSERT INTO orders (id, org_id, event_id, person_id, code, channel, total_cents, currency, created_at, version)
         SELECT id, $1, event_id, person_id, code, channel, total_cents, currency, created_at, $2
         FROM unnest($3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::int[], $9::text[], $10::timestamptz[])
           AS t(id, event_id, person_id, code, channel, total_cents, currency, created_at)`,
        [
          orgId,
          version,
          batch.map((o) => o.id),
          batch.map((o) => o.eventId),
          batch.map((o) => o.personId),
          batch.map((o) => o.code),
          batch.map((o) => o.channel),
          batch.map((o) => o.totalCents),
          batch.map((o) => o.currency),
          batch.map((o) => o.createdAt),
        ],
      ),
    );
    await insertBatches(client, orgId, demo.tickets, (batch, version) =>
      client.query(
        `INSERT INTO tickets (id, org_id, order_id, event_id, ticket_type_id, person_id, secret, version)
         SELECT id, $1, order_id, event_id, ticket_type_id, person_id, secret, $2
         FROM unnest($3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::uuid[], $8::text[])
           AS t(id, order_id, event_id, ticket_type_id, person_id, secret)`,
        [
          orgId,
          version,
          batch.map((t) => t.id),
          batch.map((t) => t.orderId),
          batch.map((t) => t.eventId),
          batch.map((t) => t.ticketTypeId),
          batch.map((t) => t.personId),
          batch.map((t) => t.secret),
        ],
      ),
    );
    return true;
  });
}
