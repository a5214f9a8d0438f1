import { describe, expect, it } from 'vitest';
import { generateDemoOrg } from './demo-org.ts';

describe('the demo organization generator', () => {
  it('yields the same organization, ids included, for the same seed', () => {
    const a = generateDemoOrg({ seed: 11, attendees: 300 });
    const b = generateDemoOrg({ seed: 11, attendees: 300 });
    expect(b).toEqual(a);
    expect(generateDemoOrg({ seed: 12, attendees: 300 }).org.id).not.toBe(a.org.id);
  });

  it('builds a consistent organization: unique emails, tickets of known types, orders summing their tickets', () => {
    const demo = generateDemoOrg({ seed: 3, attendees: 2000 });
    expect(demo.people).toHaveLength(2000);
    expect(new Set(demo.people.map((p) => p.email)).size).toBe(2000);
    const types = new Map(demo.ticketTypes.map((t) => [t.id, t]));
    const ticketsPerOrder = new Map<string, number>();
    for (const ticket of demo.tickets) {
      expect(types.get(ticket.ticketTypeId)?.eventId).toBe(ticket.eventId);
      ticketsPerOrder.set(ticket.orderId, (ticketsPerOrder.get(ticket.orderId) ?? 0) + 1);
    }
    for (const order of demo.orders) {
      const type = demo.tickets.find((t) => t.orderId === order.id)!;
      expect(order.totalCents).toBe(
        types.get(type.ticketTypeId)!.priceCents * ticketsPerOrder.get(order.id)!,
      );
    }
    for (const event of demo.events)
      expect(Date.parse(event.endsAt)).toBeGreaterThan(Date.parse(event.startsAt));
  });
});
