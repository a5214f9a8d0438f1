import { describe, expect, it } from 'vitest';
import { orgRoleSchema, type OrgRole, type ReplicatedTableName } from '@janix/schemas';
import { roleAllows } from './permissions.ts';
import { columnsForRole, replicatedTables, tablesForDevice, tablesForRole } from './replicated-tables.ts';

const by = ['updated_at', 'updated_by'];
const all = {
  events: ['id', 'version', 'name', 'venue', 'starts_at', 'ends_at', 'status', ...by],
  quotas: ['id', 'version', 'event_id', 'name', 'capacity', 'sold', 'allocated', ...by],
  ticket_types: [
    'id',
    'version',
    'event_id',
    'quota_id',
    'name',
    'price_cents',
    'currency',
    'tax_rate_bp',
    'capacity',
    'sales_start_at',
    'sales_end_at',
    'channels',
    ...by,
  ],
  people: [
    'id',
    'version',
    'first_name',
    'last_name',
    'email',
    'phone',
    'age_range',
    'company',
    'city',
    'country',
    'marketing_consent',
    ...by,
  ],
  shifts: [
    'id',
    'version',
    'device_id',
    'cashier',
    'opened_at',
    'float_cents',
    'status',
    'closed_at',
    'counted_cents',
    'expected_cents',
    ...by,
  ],
  orders: [
    'id',
    'version',
    'event_id',
    'person_id',
    'code',
    'channel',
    'status',
    'total_cents',
    'currency',
    'created_at',
    'shift_id',
    'payment_method',
    'payment_reference',
    'comp_reason',
    'tendered_cents',
    'change_cents',
    'tax_cents',
    'listed_total_cents',
    'refunded_at',
    'refund_reason',
    ...by,
  ],
  tickets: [
    'id',
    'version',
    'order_id',
    'event_id',
    'ticket_type_id',
    'person_id',
    'status',
    'secret',
    'price_cents',
    'tax_cents',
    'allocation_id',
    'slot',
    ...by,
  ],
  allocations: [
    'id',
    'version',
    'quota_id',
    'event_id',
    'device_id',
    'shift_id',
    'requested',
    'granted',
    'used',
    'returned',
    'status',
    'created_at',
    ...by,
  ],
  cash_movements: ['id', 'version', 'shift_id', 'kind', 'amount_cents', 'reason', 'created_at', ...by],
  order_audit: [
    'id',
    'version',
    'order_id',
    'shift_id',
    'action',
    'reason',
    'amount_cents',
    'method',
    'user_id',
    'user_name',
    'device_id',
    'created_at',
    ...by,
  ],
  ticket_signing_keys: ['id', 'version', 'kid', 'public_key', 'retired_at', 'created_at', ...by],
  checkin_lists: [
    'id',
    'version',
    'event_id',
    'name',
    'ticket_type_ids',
    'valid_from',
    'valid_until',
    'allow_reentry',
    'allow_multiple_entries',
    'max_entries_per_day',
    'auto_checkout_at',
    'time_zone',
    ...by,
  ],
  check_ins: [
    'id',
    'version',
    'list_id',
    'event_id',
    'ticket_id',
    'ticket_type_id',
    'direction',
    'outcome',
    'code',
    'reason',
    'device_id',
    'device_name',
    'scanned_at',
    'manual',
    'raw_excerpt',
    ...by,
  ],
  entry_alerts: [
    'id',
    'version',
    'event_id',
    'list_id',
    'ticket_id',
    'first_check_in_id',
    'first_device_name',
    'first_at',
    'second_check_in_id',
    'second_device_name',
    'second_at',
    'created_at',
    ...by,
  ],
  ticket_revocations: ['id', 'version', 'event_id', 'reason', 'revoked_at', ...by],
  card_readers: [
    'id',
    'version',
    'label',
    'stripe_reader_id',
    'stripe_location_id',
    'device_type',
    'serial_number',
    'device_id',
    'status',
    'created_at',
    ...by,
  ],
  payments: [
    'id',
    'version',
    'kind',
    'status',
    'event_id',
    'order_id',
    'shift_id',
    'device_id',
    'reader_id',
    'amount_cents',
    'currency',
    'refunded_cents',
    'stripe_payment_intent_id',
    'stripe_checkout_session_id',
    'checkout_url',
    'card_brand',
    'card_last4',
    'failure_reason',
    'created_at',
    'expires_at',
    'completed_at',
    ...by,
  ],
  order_emails: [
    'id',
    'version',
    'order_id',
    'kind',
    'status',
    'attempts',
    'failure_reason',
    'provider_message_id',
    'sent_at',
    'created_at',
    ...by,
  ],
} satisfies Record<ReplicatedTableName, string[]>;

const loadOrder: ReplicatedTableName[] = [
  'events',
  'quotas',
  'ticket_types',
  'ticket_signing_keys',
  'checkin_lists',
  'shifts',
  'orders',
  'tickets',
  'ticket_revocations',
  'allocations',
  'cash_movements',
  'order_audit',
  'check_ins',
  'entry_alerts',
  'card_readers',
  'payments',
  'order_emails',
  'people',
];

const names = ['id', 'version', 'first_name', 'last_name'];

/**
 * Roles × tables × columns, written out in full: what each role's devices hold. A change to the permission
 * table that changes what a device receives must change this table too.
 */
const expected: Record<OrgRole, Partial<Record<ReplicatedTableName, string[]>>> = {
  owner: all,
  admin: all,
  // Organizers scan, so they hold ticket secrets (they did not before: a second list had drifted).
  organizer: all,
  box_office: { ...all, people: [...names, 'email', 'phone', ...by] },
  check_in: {
    events: all.events,
    quotas: all.quotas,
    ticket_types: all.ticket_types,
    ticket_signing_keys: all.ticket_signing_keys,
    checkin_lists: all.checkin_lists,
    people: [...names, ...by],
    tickets: all.tickets,
    ticket_revocations: all.ticket_revocations,
    check_ins: all.check_ins,
    entry_alerts: all.entry_alerts,
  },
};

describe('who receives which table and column', () => {
  it('matches the written-out matrix for every role, in load order', () => {
    expect(Object.keys(expected).sort()).toEqual([...orgRoleSchema.options].sort());
    for (const role of orgRoleSchema.options) {
      const received = Object.fromEntries(
        tablesForRole(role).map((table) => [table.name, columnsForRole(table, role)]),
      );
      expect(received, role).toEqual(expected[role]);
      // What the box office and the scanner need first; people, the biggest and least urgent, last.
      expect(Object.keys(received), role).toEqual(loadOrder.filter((name) => name in expected[role]));
    }
  });

  it('is derived from the permission table: a table or column goes exactly to the roles allowed it', () => {
    for (const table of replicatedTables) {
      for (const role of orgRoleSchema.options) {
        expect(tablesForRole(role).includes(table), `${role} ${table.name}`).toBe(
          roleAllows(role, table.requires),
        );
        if (!roleAllows(role, table.requires)) continue;
        for (const column of table.columns) {
          expect(
            columnsForRole(table, role).includes(column.name),
            `${role} ${table.name}.${column.name}`,
          ).toBe(!column.requires || roleAllows(role, column.requires));
        }
      }
    }
  });

  it('never sends a scanner contact data or orders, and sends every table a command writes with its author', () => {
    expect(
      columnsForRole(
        tablesForRole('check_in').find((t) => t.name === 'people')!,
        'check_in',
      ),
    ).not.toContain('email');
    expect(tablesForRole('check_in').map((table) => table.name)).not.toContain('orders');
    for (const role of orgRoleSchema.options) {
      const events = tablesForRole(role).find((table) => table.name === 'events')!;
      expect(columnsForRole(events, role)).toEqual(expect.arrayContaining(['updated_at', 'updated_by']));
    }
  });

  it('sends no card data with a payment: Stripe ids, the brand and the last four digits only', () => {
    const payments = replicatedTables.find((table) => table.name === 'payments')!;
    const card = payments.columns.map((column) => column.name).filter((name) => name.startsWith('card_'));
    expect(card).toEqual(['card_brand', 'card_last4']);
  });

  it('sends an order email without its address: the server reads it when it sends', () => {
    const emails = replicatedTables.find((table) => table.name === 'order_emails')!;
    expect(emails.columns.map((column) => column.name)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/address|email|^to/)]),
    );
  });

  it('never sends the private half of a signing key to anyone', () => {
    for (const role of orgRoleSchema.options) {
      const keys = tablesForRole(role).find((table) => table.name === 'ticket_signing_keys')!;
      expect(columnsForRole(keys, role)).not.toContain('private_key_sealed');
    }
  });
});

describe('device profiles', () => {
  it('gives every role its own tables with attendee data', () => {
    for (const role of orgRoleSchema.options) {
      expect(tablesForDevice(role, 'attendees')).toEqual(tablesForRole(role));
    }
  });

  it('gives a device without attendee data no tickets, people, orders or order audit, but what verifies a code', () => {
    expect(tablesForDevice('check_in', 'no_attendee_data').map((table) => table.name)).toEqual([
      'events',
      'quotas',
      'ticket_types',
      'ticket_signing_keys',
      'checkin_lists',
      'ticket_revocations',
      'check_ins',
      'entry_alerts',
    ]);
    for (const role of orgRoleSchema.options) {
      const names = tablesForDevice(role, 'no_attendee_data').map((table) => table.name);
      for (const table of [
        'tickets',
        'people',
        'orders',
        'order_audit',
        'payments',
        'order_emails',
      ] as const) {
        expect(names, `${role} ${table}`).not.toContain(table);
      }
      expect(names, role).toEqual(expect.arrayContaining(['ticket_signing_keys', 'ticket_revocations']));
    }
  });
});
