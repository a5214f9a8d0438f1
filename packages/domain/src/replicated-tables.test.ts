import { describe, expect, it } from 'vitest';
import { orgRoleSchema, type OrgRole, type ReplicatedTableName } from '@janix/schemas';
import { roleAllows } from './permissions.ts';
import { columnsForRole, replicatedTables, tablesForRole } from './replicated-tables.ts';

const all = {
  events: ['id', 'version', 'name', 'venue', 'starts_at', 'ends_at', 'status', 'updated_at', 'updated_by'],
  ticket_types: ['id', 'version', 'event_id', 'name', 'price_cents', 'currency', 'capacity'],
  tickets: ['id', 'version', 'order_id', 'event_id', 'ticket_type_id', 'person_id', 'status', 'secret'],
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
  ],
  people: [
    'id',
    'version',
    'first_name',
    'last_name',
    'email',
    'company',
    'city',
    'country',
    'marketing_consent',
  ],
} satisfies Record<ReplicatedTableName, string[]>;

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
  box_office: { ...all, people: [...names, 'email'] },
  check_in: {
    events: all.events,
    ticket_types: all.ticket_types,
    tickets: all.tickets,
    people: names,
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
      expect(Object.keys(received), role).toEqual(
        replicatedTables.map((table) => table.name).filter((name) => name in expected[role]),
      );
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
});
