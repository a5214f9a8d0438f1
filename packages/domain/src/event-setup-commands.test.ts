import { describe, expect, it } from 'vitest';
import { planCommand } from './commands.ts';
import { channelsColumn } from './event-setup-commands.ts';
import { commandContext } from './testing/command-context.ts';
import {
  boxOfficeIds as ids,
  eventRow,
  quotaRow,
  ticketRow,
  ticketTypeRow,
} from './testing/box-office-rows.ts';
import { runCommand, writesOf, type TestDatabase } from './testing/run-command.ts';

const newId = 'aa0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
const event = eventRow();
const quota = quotaRow(); // capacity 100, 48 sold, 4 held
const adult = ticketTypeRow();
const database: TestDatabase = {
  events: [event, eventRow({ id: ids.otherEvent, name: 'Winter Gala' })],
  quotas: [
    quota,
    quotaRow({ id: ids.otherQuota, eventId: ids.otherEvent, name: 'Gala floor', capacity: 300 }),
  ],
  ticket_types: [adult],
};
const ticketDraft = {
  quotaId: ids.quota,
  name: 'Student',
  priceCents: 800,
  currency: 'EUR',
  taxRateBp: 2000,
  salesStartAt: '2026-11-01T09:00:00Z',
  salesEndAt: '2026-12-05T22:00:00Z',
  channels: ['box_office'],
};

describe('createQuota', () => {
  const create = (over: object = {}, db = database) =>
    runCommand(
      'createQuota',
      { quotaId: newId, eventId: ids.event, draft: { name: 'Balcony', capacity: 40 }, ...over },
      db,
    );

  it('creates an empty quota of the event', () => {
    expect(writesOf(create())).toEqual([
      {
        table: 'quotas',
        op: 'insert',
        row: { id: newId, eventId: ids.event, name: 'Balcony', capacity: 40, sold: 0, allocated: 0 },
      },
    ]);
  });

  it('refuses an event that does not exist (or is another organization’s, which is never loaded)', () => {
    expect(create({ eventId: newId })).toMatchObject({ ok: false, code: 'event_not_found' });
  });

  it('refuses an id that already exists', () => {
    expect(create({ quotaId: ids.quota })).toMatchObject({ ok: false, code: 'already_exists' });
  });

  it('needs events.write, and refuses a negative or absurd capacity before any rule runs', () => {
    const ctx = commandContext({ allows: (action) => action !== 'events.write' });
    const args = { quotaId: newId, eventId: ids.event, draft: { name: 'Balcony', capacity: 40 } };
    expect(planCommand('createQuota', args, ctx)).toMatchObject({ ok: false, code: 'forbidden' });
    for (const capacity of [-1, 10_000_001, 1.5]) {
      expect(create({ draft: { name: 'Balcony', capacity } })).toMatchObject({
        ok: false,
        code: 'invalid_args',
      });
    }
  });
});

describe('updateQuota', () => {
  const update = (patch: object) => runCommand('updateQuota', { quotaId: ids.quota, patch }, database);

  it('refuses a capacity below what is sold and held, saying how many', () => {
    expect(update({ capacity: 40 })).toEqual({
      ok: false,
      code: 'capacity_below_sold',
      message: 'Capacity 40 is below the 52 seats already sold or held by box offices (48 sold, 4 held).',
    });
    expect(update({ capacity: 51 })).toMatchObject({ ok: false, code: 'capacity_below_sold' });
  });

  it('lowers the capacity down to exactly what is taken, keeping sold and held as they are', () => {
    expect(writesOf(update({ capacity: 52 }))).toEqual([
      {
        table: 'quotas',
        op: 'update',
        row: { id: ids.quota, eventId: ids.event, name: 'Floor', capacity: 52, sold: 48, allocated: 4 },
      },
    ]);
  });

  it('renames without touching the capacity, and leaves ticket types alone', () => {
    const writes = writesOf(update({ name: 'Standing' }));
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ table: 'quotas', row: { name: 'Standing', capacity: 100 } });
    // version and who-and-when are the writer's, never the rule's
    expect(writes[0]!.row).not.toHaveProperty('version');
    expect(writes[0]!.row).not.toHaveProperty('updatedAt');
  });

  it('refuses a quota that does not exist', () => {
    expect(runCommand('updateQuota', { quotaId: newId, patch: { capacity: 10 } }, database)).toMatchObject({
      ok: false,
      code: 'quota_not_found',
    });
  });
});

describe('createTicketType', () => {
  const create = (draft: object = {}, db = database) =>
    runCommand(
      'createTicketType',
      { ticketTypeId: newId, eventId: ids.event, draft: { ...ticketDraft, ...draft } },
      db,
    );

  it('creates the ticket type with its quota’s capacity and its channels as stored text', () => {
    expect(writesOf(create())).toEqual([
      {
        table: 'ticket_types',
        op: 'insert',
        row: {
          id: newId,
          eventId: ids.event,
          quotaId: ids.quota,
          name: 'Student',
          priceCents: 800,
          currency: 'EUR',
          taxRateBp: 2000,
          capacity: 100,
          salesStartAt: '2026-11-01T09:00:00Z',
          salesEndAt: '2026-12-05T22:00:00Z',
          channels: 'box_office',
        },
      },
    ]);
  });

  it('stores channels in one order, each once', () => {
    expect(channelsColumn(['online', 'box_office'])).toBe('box_office,online');
    expect(channelsColumn(['online', 'online'])).toBe('online');
    const row = writesOf(create({ channels: ['online', 'box_office'] }))[0]!.row;
    expect(row).toMatchObject({ channels: 'box_office,online' });
    expect(create({ channels: [] })).toMatchObject({ ok: false, code: 'invalid_args' });
    expect(create({ channels: ['web'] })).toMatchObject({ ok: false, code: 'invalid_args' });
  });

  it('refuses a quota that is missing or belongs to another event', () => {
    expect(create({ quotaId: newId })).toMatchObject({ ok: false, code: 'quota_not_found' });
    expect(create({ quotaId: ids.otherQuota })).toEqual({
      ok: false,
      code: 'quota_other_event',
      message: 'The quota Gala floor belongs to another event.',
    });
  });

  it('refuses a sales window that closes before or as it opens; an open end is fine', () => {
    for (const salesEndAt of ['2026-11-01T08:59:59Z', '2026-11-01T09:00:00Z', '2026-11-01T10:00:00+01:00']) {
      expect(create({ salesEndAt }), salesEndAt).toMatchObject({ ok: false, code: 'invalid_sales_window' });
    }
    expect(create({ salesEndAt: null }).ok).toBe(true);
    expect(create({ salesStartAt: null }).ok).toBe(true);
  });

  it('refuses a second currency in one event, naming the one in use', () => {
    expect(create({ currency: 'USD' })).toEqual({
      ok: false,
      code: 'currency_mismatch',
      message: "This event's tickets are priced in EUR (Adult), so this ticket type cannot be in USD.",
    });
  });

  it('lets the first ticket type of an event pick any currency, whatever other events use', () => {
    const db = { ...database, ticket_types: [ticketTypeRow({ eventId: ids.otherEvent, currency: 'EUR' })] };
    expect(writesOf(create({ currency: 'CHF' }, db))[0]!.row).toMatchObject({ currency: 'CHF' });
  });

  it('refuses a missing event and an id that exists', () => {
    expect(
      runCommand('createTicketType', { ticketTypeId: newId, eventId: newId, draft: ticketDraft }, database),
    ).toMatchObject({ ok: false, code: 'event_not_found' });
    expect(
      runCommand(
        'createTicketType',
        { ticketTypeId: ids.adult, eventId: ids.event, draft: ticketDraft },
        database,
      ),
    ).toMatchObject({ ok: false, code: 'already_exists' });
  });
});

describe('updateTicketType', () => {
  const second = quotaRow({ id: newId, name: 'Balcony', capacity: 40, sold: 0, allocated: 0 });
  const child = ticketTypeRow({ id: ids.child, name: 'Child', priceCents: 600 });
  const db: TestDatabase = {
    ...database,
    quotas: [...database.quotas!, second],
    ticket_types: [adult, child],
  };
  const update = (patch: object, rows = db) =>
    runCommand('updateTicketType', { ticketTypeId: ids.adult, patch }, rows);

  it('changes the price and keeps every other column, mirroring its quota’s capacity', () => {
    const rows = { ...db, quotas: [quotaRow({ capacity: 120 }), second] };
    expect(writesOf(update({ priceCents: 1500 }, rows))).toEqual([
      {
        table: 'ticket_types',
        op: 'update',
        row: {
          id: ids.adult,
          eventId: ids.event,
          quotaId: ids.quota,
          name: 'Adult',
          priceCents: 1500,
          currency: 'EUR',
          taxRateBp: 2000,
          capacity: 120,
          salesStartAt: null,
          salesEndAt: null,
          channels: 'box_office,online',
        },
      },
    ]);
  });

  it('refuses a ticket type that does not exist', () => {
    expect(runCommand('updateTicketType', { ticketTypeId: newId, patch: { name: 'x' } }, db)).toMatchObject({
      ok: false,
      code: 'ticket_type_not_found',
    });
  });

  it('refuses a currency the event’s other ticket types do not use; alone, it may change', () => {
    expect(update({ currency: 'USD' })).toMatchObject({ ok: false, code: 'currency_mismatch' });
    const alone = { ...db, ticket_types: [adult] };
    expect(writesOf(update({ currency: 'USD' }, alone))[0]!.row).toMatchObject({ currency: 'USD' });
  });

  it('checks the window as it will be after the patch; null clears an end', () => {
    const windowed = {
      ...db,
      ticket_types: [ticketTypeRow({ salesStartAt: '2026-12-01T10:00:00.000Z' }), child],
    };
    expect(update({ salesEndAt: '2026-12-01T09:00:00Z' }, windowed)).toMatchObject({
      ok: false,
      code: 'invalid_sales_window',
    });
    const ended = { ...db, ticket_types: [ticketTypeRow({ salesEndAt: '2026-12-05T22:00:00.000Z' }), child] };
    expect(writesOf(update({ salesEndAt: null }, ended))[0]!.row).toMatchObject({ salesEndAt: null });
    expect(writesOf(update({ name: 'Adults' }, ended))[0]!.row).toMatchObject({
      salesEndAt: '2026-12-05T22:00:00.000Z',
    });
  });

  it('moves to another quota of the event only while none of its tickets is sold', () => {
    expect(writesOf(update({ quotaId: newId }))[0]!.row).toMatchObject({ quotaId: newId, capacity: 40 });
    const sold = { ...db, tickets: [ticketRow(0), ticketRow(1), ticketRow(2, { status: 'refunded' })] };
    expect(update({ quotaId: newId }, sold)).toEqual({
      ok: false,
      code: 'quota_has_sales',
      message:
        '2 Adult tickets are already sold from its quota, so it cannot move to another one. Create a new ticket type instead.',
    });
    const refunded = {
      ...db,
      tickets: [ticketRow(0, { status: 'refunded' }), ticketRow(1, { status: 'void' })],
    };
    expect(update({ quotaId: newId }, refunded).ok).toBe(true);
    // another type's sales do not hold this one back
    expect(
      update({ quotaId: newId }, { ...db, tickets: [ticketRow(0, { ticketTypeId: ids.child })] }).ok,
    ).toBe(true);
  });

  it('refuses a quota of another event or one that does not exist', () => {
    expect(update({ quotaId: ids.otherQuota })).toMatchObject({ ok: false, code: 'quota_other_event' });
    expect(update({ quotaId: ids.audit })).toMatchObject({ ok: false, code: 'quota_not_found' });
  });

  it('reads the tickets of the type only when its quota changes (they are many, and locked on the server)', () => {
    const plain = planCommand(
      'updateTicketType',
      { ticketTypeId: ids.adult, patch: { name: 'x' } },
      commandContext(),
    );
    const moving = planCommand(
      'updateTicketType',
      { ticketTypeId: ids.adult, patch: { quotaId: newId } },
      commandContext(),
    );
    expect(plain.ok && plain.value.reads.map((read) => read.table)).toEqual(['ticket_types']);
    expect(moving.ok && moving.value.reads).toContainEqual({
      table: 'tickets',
      column: 'ticket_type_id',
      values: [ids.adult],
    });
  });
});
