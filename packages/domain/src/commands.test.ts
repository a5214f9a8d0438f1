import { describe, expect, it } from 'vitest';
import { MAX_COMMAND_ARGS_LENGTH, type CommandName } from '@janix/schemas';
import { planCommand } from './commands.ts';
import type { RowOf } from './replicated-tables.ts';
import { commandContext, loadedRows } from './testing/command-context.ts';
import type { OrgAction } from './permissions.ts';

const otherOrgId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const eventId = '0b7d9a3c-5e1f-4a2b-8c9d-7e6f5a4b3c2d';
const draft = {
  name: 'Harbour Jazz Night',
  venue: 'Pier 9',
  startsAt: '2026-12-05T19:00:00Z',
  endsAt: '2026-12-05T23:00:00Z',
  status: 'draft' as const,
};
const ownRow: RowOf<'events'> = {
  id: eventId,
  ...draft,
  updatedAt: '2026-12-01T10:00:00.000Z',
  updatedBy: 'Office',
  version: 3,
};
const written = { id: eventId, ...draft };

const asked: OrgAction[] = [];
const everything = {
  ...commandContext(),
  allows: (action: OrgAction) => {
    asked.push(action);
    return true;
  },
};
const nothing = { ...commandContext(), allows: () => false };

const rows = (...events: RowOf<'events'>[]) => loadedRows({ events });

function plan(name: CommandName, args: unknown, ctx: Parameters<typeof planCommand>[2] = everything) {
  const planned = planCommand(name, args, ctx);
  if (!planned.ok) throw new Error(`expected a plan, got ${planned.code}: ${planned.message}`);
  return planned.value;
}

describe('planCommand: before any row is read', () => {
  it('refuses an unknown command, including names inherited from Object', () => {
    for (const name of ['deleteEverything', 'constructor', 'toString', '__proto__', 'hasOwnProperty', '']) {
      expect(planCommand(name, {}, everything), name).toMatchObject({ ok: false, code: 'unknown_command' });
    }
  });

  it('an unknown name is its own rejection, never echoed back (it may hold anything a console sent)', () => {
    const planned = planCommand('sellTickets\u0000<script>', {}, everything);
    expect(planned).toMatchObject({ ok: false, code: 'unknown_command' });
    if (!planned.ok) expect(planned.message).not.toMatch(/sellTickets|script/);
    if (!planned.ok) expect(planned.message).not.toContain('\u0000');
  });

  it('asks for the action the command requires and refuses a role without it', () => {
    asked.length = 0;
    plan('updateEvent', { eventId, patch: { name: 'x' } });
    plan('createEvent', { eventId, draft });
    expect(asked).toEqual(['events.write', 'events.write']);
    for (const name of ['createEvent', 'updateEvent'] as const) {
      expect(planCommand(name, { eventId, patch: {}, draft }, nothing)).toMatchObject({
        ok: false,
        code: 'forbidden',
      });
    }
  });

  it('a forbidden role is told "forbidden" even when its arguments are also invalid', () => {
    expect(planCommand('updateEvent', { eventId: 'nope' }, nothing)).toMatchObject({ code: 'forbidden' });
  });

  it('invalid arguments become invalid_args naming the field path', () => {
    const cases: Array<[CommandName, unknown, RegExp]> = [
      ['updateEvent', { eventId: 'not-a-uuid', patch: {} }, /^eventId: must be a UUID/],
      ['updateEvent', { eventId }, /^patch: /],
      ['createEvent', { eventId, draft: { ...draft, startsAt: 'tomorrow' } }, /^draft\.startsAt: /],
      ['createEvent', { eventId, draft: { ...draft, name: '   ' } }, /^draft\.name: the event needs a name/],
      ['createEvent', { eventId, draft: { ...draft, status: 'sold_out' } }, /^draft\.status: /],
      ['updateEvent', { eventId, patch: { venue: 'x'.repeat(201) } }, /^patch\.venue: venue is too long/],
      // What Postgres cannot store is refused here, on the console and on the server alike.
      ['createEvent', { eventId, draft: { ...draft, name: 'Jazz\u0000Night' } }, /^draft\.name: .*NUL/],
      ['updateEvent', { eventId, patch: { venue: 'Pier \ud800' } }, /^patch\.venue: .*surrogate/],
      ['updateEvent', { eventId, patch: { name: '\udc00 Gala' } }, /^patch\.name: .*surrogate/],
      ['updateEvent', { eventId, patch: { startsAt: '1969-12-31T23:00:00Z' } }, /^patch\.startsAt: .*1970/],
      ['updateEvent', { eventId, patch: { endsAt: '9999-12-31T23:00:00-02:00' } }, /^patch\.endsAt: .*9999/],
      [
        'updateEvent',
        { eventId, patch: { endsAt: '2026-12-05T23:00:00+15:30' } },
        /^patch\.endsAt: .*offset/,
      ],
    ];
    for (const [name, args, message] of cases) {
      const planned = planCommand(name, args, everything);
      expect(planned, JSON.stringify(args)).toMatchObject({ ok: false, code: 'invalid_args' });
      if (!planned.ok) expect(planned.message).toMatch(message);
    }
  });

  it('arguments that are not an object at all are invalid_args named after the command', () => {
    for (const args of [null, undefined, 'text', 42, []]) {
      const planned = planCommand('updateEvent', args, everything);
      expect(planned).toMatchObject({ ok: false, code: 'invalid_args' });
      if (!planned.ok) expect(planned.message).toMatch(/^updateEvent: /);
    }
  });

  it('a well-formed surrogate pair (an emoji) is fine', () => {
    expect(planCommand('updateEvent', { eventId, patch: { name: 'Gala \ud83c\udf89' } }, everything).ok).toBe(
      true,
    );
  });

  it('arguments longer than the limit are invalid_args without being parsed', () => {
    const planned = planCommand(
      'updateEvent',
      { eventId, patch: { name: 'ok' }, padding: 'x'.repeat(MAX_COMMAND_ARGS_LENGTH) },
      everything,
    );
    expect(planned).toMatchObject({ ok: false, code: 'invalid_args' });
  });

  it('a field path never quotes keys that came from the input', () => {
    const planned = planCommand(
      'updateEvent',
      { eventId, patch: { 'name\u0000<b>': 1, name: 5 } },
      everything,
    );
    expect(planned).toMatchObject({ ok: false, code: 'invalid_args' });
    if (!planned.ok) expect(planned.message).toMatch(/^patch\.name: /);
  });

  it('says which rows to load', () => {
    expect(plan('updateEvent', { eventId, patch: {} }).reads).toEqual([{ table: 'events', ids: [eventId] }]);
    expect(plan('createEvent', { eventId, draft }).reads).toEqual([{ table: 'events', ids: [eventId] }]);
  });
});

describe('planCommand: deciding on the loaded rows', () => {
  it('updateEvent writes the patched row', () => {
    const decision = plan('updateEvent', { eventId, patch: { name: '  Renamed  ' } }).decide(rows(ownRow));
    expect(decision).toEqual({
      ok: true,
      value: [{ table: 'events', op: 'update', row: { ...written, name: 'Renamed' } }],
    });
  });

  it('updateEvent on an event that is not loaded (missing, or another organization’s) is not_found', () => {
    const onMissing = plan('updateEvent', { eventId, patch: { name: 'Hijacked' } }).decide(rows());
    expect(onMissing).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('a patch cannot move an event to another organization or change its id', () => {
    const decision = plan('updateEvent', {
      eventId,
      patch: { name: 'Moved?', orgId: otherOrgId, id: '11111111-1111-4111-8111-111111111111', version: 99 },
    }).decide(rows(ownRow));
    expect(decision).toMatchObject({ ok: true, value: [{ row: { id: eventId, name: 'Moved?' } }] });
    if (decision.ok) expect(decision.value[0]!.row).not.toHaveProperty('orgId');
  });

  it('createEvent writes into the caller organization, whatever the draft claims', () => {
    const decision = plan('createEvent', { eventId, draft: { ...draft, orgId: otherOrgId } }).decide(rows());
    expect(decision).toEqual({
      ok: true,
      value: [{ table: 'events', op: 'insert', row: { id: eventId, ...draft } }],
    });
  });

  it('createEvent on an id already loaded is already_exists', () => {
    expect(plan('createEvent', { eventId, draft }).decide(rows(ownRow))).toMatchObject({
      ok: false,
      code: 'already_exists',
    });
  });

  it('an end before the start is invalid_times, for create and for update', () => {
    const backwards = { startsAt: '2026-12-05T23:00:00Z', endsAt: '2026-12-05T19:00:00Z' };
    expect(plan('createEvent', { eventId, draft: { ...draft, ...backwards } }).decide(rows())).toMatchObject({
      ok: false,
      code: 'invalid_times',
    });
    expect(plan('updateEvent', { eventId, patch: backwards }).decide(rows(ownRow))).toMatchObject({
      ok: false,
      code: 'invalid_times',
    });
    expect(
      plan('updateEvent', { eventId, patch: { endsAt: '2026-12-05T18:00:00Z' } }).decide(rows(ownRow)),
    ).toMatchObject({ code: 'invalid_times' });
  });
});
