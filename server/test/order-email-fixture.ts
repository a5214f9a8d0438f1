import { randomUUID } from 'node:crypto';
import { generateDemoOrg, type DemoOrg } from '@janix/testkit';
import { inTransaction, takeOrgVersions } from '../src/db/org-transaction.ts';
import { seedDemoOrg } from '../src/demo-seed.ts';
import type { Mailer } from '../src/mail/mailer.ts';
import { startTestServer, type TestServer } from '../src/testing.ts';
import type { ServicesOptions } from '../src/services.ts';
import { apiClient, command, ownerOf, signIn, versions, type ApiClient } from './support.ts';

/** A server whose order emails go out, one demo organization, and a till that sells (not a test file). */

export interface Till {
  api: ApiClient;
  seq: number;
  shiftId: string;
}

export interface EmailServer {
  server: TestServer & { devMailboxSecret: string };
  demo: DemoOrg;
  orgId: string;
  session: string;
  till: Till;
  /** A session of the organization's member with this email. */
  signIn(email: string): Promise<string>;
  close(): Promise<void>;
}

export async function startEmailServer(
  adminUrl: string,
  options: {
    mailer?: Mailer;
    orderEmails?: ServicesOptions['orderEmails'];
    seed?: number;
    /** Where the sign-in code reaches (the dev mailbox when not given). */
    signInCode?: (email: string, server: TestServer) => Promise<string>;
  } = {},
): Promise<EmailServer> {
  const demo = generateDemoOrg({ seed: options.seed ?? 41, attendees: 10 });
  const server = await startTestServer(adminUrl, {
    ...(options.mailer ? { mailer: options.mailer } : {}),
    orderEmails: options.orderEmails ?? { backoffMs: () => 300, maxAttempts: 4 },
  });
  try {
    await seedDemoOrg(server.db.adminPool, demo);
    const signInAs = async (email: string) =>
      options.signInCode
        ? await signInWith(server, email, options.signInCode)
        : (await signIn(server, email)).session;
    const session = await signInAs(ownerOf(demo));
    const till = await openTill(server, session, demo.org.id, 'Email till');
    return {
      server,
      demo,
      orgId: demo.org.id,
      session,
      till,
      signIn: signInAs,
      close: () => server.close(),
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}

async function signInWith(
  server: TestServer,
  email: string,
  codeFor: (email: string, server: TestServer) => Promise<string>,
) {
  const api = apiClient(server);
  await api.auth.requestCode.mutate({ email });
  return (await api.auth.verifyCode.mutate({ email, code: await codeFor(email, server) })).sessionToken;
}

/** An enrolled device of the session's member; a till has its shift open. */
export async function openTill(
  server: TestServer,
  session: string,
  orgId: string,
  name: string,
  openShift = true,
): Promise<Till> {
  const enrolled = await apiClient(server, { session }).devices.enroll.mutate({ orgId, name });
  const till: Till = {
    api: apiClient(server, { session, device: enrolled.deviceToken }),
    seq: 0,
    shiftId: randomUUID(),
  };
  if (openShift) {
    await push(till, [
      ['openShift', { shiftId: till.shiftId, floatCents: 0, openedAt: new Date().toISOString() }],
    ]);
  }
  return till;
}

/** Pushes commands in sequence; answers each outcome as 'applied', 'duplicate' or the rejection's code. */
export async function push(till: Till, commands: Array<[name: string, args: unknown]>): Promise<string[]> {
  const result = await till.api.sync.push.mutate({
    ...versions,
    commands: commands.map(([name, args]) => command((till.seq += 1), name, args)),
  });
  return result.results.map((outcome) => (outcome.status === 'rejected' ? outcome.code : outcome.status));
}

export interface Sale {
  orderId: string;
  personId: string | null;
  ticketIds: string[];
}

type Payment = { method: 'cash'; tenderedCents: number } | { method: 'comp'; reason: string };

/**
 * Sells `quantity` tickets of a box-office ticket type with free seats at the till: an allocation for them,
 * then the sale, in one push. `buyer` null sells to nobody; an email of null, to a buyer who gave none.
 */
export async function sell(
  env: EmailServer,
  options: {
    quantity?: number;
    buyer?: { email: string | null; firstName?: string } | null;
    comp?: boolean;
  } = {},
): Promise<Sale> {
  const quantity = options.quantity ?? 1;
  const found = await env.server.db.adminPool.query<{
    id: string;
    event_id: string;
    quota_id: string;
    price_cents: number;
    currency: string;
  }>(
    `SELECT t.id, t.event_id, t.quota_id, t.price_cents, t.currency FROM ticket_types t
     JOIN events e ON e.org_id = t.org_id AND e.id = t.event_id
     JOIN quotas q ON q.org_id = t.org_id AND q.id = t.quota_id
     WHERE t.org_id = $1 AND e.status = 'on_sale' AND t.channels LIKE '%box_office%' AND t.price_cents > 0
       AND q.capacity - q.sold - q.allocated >= $2 AND (t.sales_end_at IS NULL OR t.sales_end_at > now())
       AND (t.sales_start_at IS NULL OR t.sales_start_at < now())
     ORDER BY t.id LIMIT 1`,
    [env.orgId, quantity],
  );
  const type = found.rows[0];
  if (!type) throw new Error('no ticket type with free seats to sell');
  const allocationId = randomUUID();
  const orderId = randomUUID();
  const at = new Date().toISOString();
  const personId = options.buyer ? randomUUID() : null;
  const payment: Payment = options.comp
    ? { method: 'comp', reason: 'Guest of the band' }
    : { method: 'cash', tenderedCents: type.price_cents * quantity };
  const outcomes = await push(env.till, [
    [
      'requestAllocation',
      { allocationId, quotaId: type.quota_id, shiftId: env.till.shiftId, seats: quantity, at },
    ],
    [
      'sellTickets',
      {
        orderId,
        eventId: type.event_id,
        shiftId: env.till.shiftId,
        soldAt: at,
        currency: type.currency,
        lines: [{ ticketTypeId: type.id, quantity, unitPriceCents: type.price_cents }],
        slots: Array.from({ length: quantity }, (_, slot) => ({ allocationId, slot, ticketTypeId: type.id })),
        buyer: options.buyer
          ? {
              personId,
              firstName: options.buyer.firstName ?? 'Ada',
              lastName: 'Lovelace',
              email: options.buyer.email,
              phone: null,
              ageRange: null,
            }
          : null,
        payment,
      },
    ],
  ]);
  if (outcomes.join() !== 'applied,applied') throw new Error(`the sale was not applied: ${outcomes.join()}`);
  const tickets = await env.server.db.adminPool.query<{ id: string }>(
    'SELECT id FROM tickets WHERE org_id = $1 AND order_id = $2 ORDER BY slot',
    [env.orgId, orderId],
  );
  return { orderId, personId, ticketIds: tickets.rows.map((row) => row.id) };
}

export async function refund(env: EmailServer, orderId: string, action: 'refund' | 'void' = 'refund') {
  return push(env.till, [
    [
      'refundOrder',
      {
        orderId,
        auditId: randomUUID(),
        action,
        reason: 'Cannot come',
        shiftId: env.till.shiftId,
        at: new Date().toISOString(),
      },
    ],
  ]);
}

export interface EmailRow {
  id: string;
  order_id: string;
  kind: string;
  status: string;
  attempts: number;
  failure_reason: string | null;
  provider_message_id: string | null;
  sent_at: Date | null;
  version: string;
}

export async function emailRows(env: EmailServer, orderId: string): Promise<EmailRow[]> {
  const result = await env.server.db.adminPool.query<EmailRow>(
    `SELECT id, order_id, kind, status, attempts, failure_reason, provider_message_id, sent_at, version
     FROM order_emails WHERE org_id = $1 AND order_id = $2 ORDER BY kind`,
    [env.orgId, orderId],
  );
  return result.rows;
}

/** A fresh address for one test, so tests sharing a server tell their emails apart. */
export const uniqueAddress = (label: string) => `${label}-${randomUUID().slice(0, 8)}@buyers.janix.test`;

/**
 * One statement as a server-side writer runs it: in the organization's scope, at a version its transaction
 * took (`$1` is the organization, the last parameter the version).
 */
export async function writeAtNewVersion(env: EmailServer, sql: string, params: unknown[]): Promise<void> {
  await inTransaction(env.server.db.adminPool, { orgId: env.orgId }, async (client) => {
    const version = await takeOrgVersions(client, env.orgId);
    await client.query(sql, [env.orgId, ...params, version]);
  });
}
