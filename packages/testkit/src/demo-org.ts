import { Faker, en, de, fr, base } from '@faker-js/faker';
import type { EventStatus, OrgRole } from '@janix/schemas';

export interface DemoUser {
  id: string;
  email: string;
  displayName: string;
  role: OrgRole;
}
export interface DemoEvent {
  id: string;
  name: string;
  venue: string;
  startsAt: string;
  endsAt: string;
  status: EventStatus;
}
export interface DemoTicketType {
  id: string;
  eventId: string;
  name: string;
  priceCents: number;
  currency: string;
  capacity: number;
}
export interface DemoPerson {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  company: string | null;
  city: string;
  country: string;
  marketingConsent: boolean;
}
export interface DemoOrder {
  id: string;
  eventId: string;
  personId: string;
  code: string;
  channel: 'online' | 'box_office';
  totalCents: number;
  currency: string;
  createdAt: string;
}
export interface DemoTicket {
  id: string;
  orderId: string;
  eventId: string;
  ticketTypeId: string;
  personId: string;
  /**
   * Empty until the server's seeder (seedDemoOrg) signs it with the organization's key: a secret anyone could
   * generate from the seed would be valid at every install.
   */
  secret: string;
}
export interface DemoOrg {
  org: { id: string; name: string; slug: string };
  users: DemoUser[];
  events: DemoEvent[];
  ticketTypes: DemoTicketType[];
  people: DemoPerson[];
  orders: DemoOrder[];
  tickets: DemoTicket[];
}

export const DEMO_OWNER_EMAIL = 'demo@janix.test';

const ticketTypeNames = [
  ['General admission', 3500],
  ['Early bird', 2500],
  ['VIP', 9500],
  ['Student', 1800],
] as const;

/**
 * One seeded generator for the demo organization, shared by `npm run seed`, tests and benchmarks,
 * so a seed always yields the same organization (ids included).
 */
export function generateDemoOrg(options: { seed?: number; attendees?: number; now?: Date } = {}): DemoOrg {
  const faker = new Faker({ locale: [en, de, fr, base] });
  faker.seed(options.seed ?? 2026);
  const now = options.now ?? new Date('2026-11-01T10:00:00Z');
  faker.setDefaultRefDate(now);
  const attendeeCount = options.attendees ?? 12_000;

  const org = { id: faker.string.uuid(), name: 'Harbour Lights Festival', slug: 'harbour-lights' };
  const users: DemoUser[] = [
    { id: faker.string.uuid(), email: DEMO_OWNER_EMAIL, displayName: 'Dana Demo', role: 'owner' },
    { id: faker.string.uuid(), email: 'boxoffice@janix.test', displayName: 'Ben Box', role: 'box_office' },
    { id: faker.string.uuid(), email: 'scanner@janix.test', displayName: 'Sam Scan', role: 'check_in' },
    {
      id: faker.string.uuid(),
      email: 'organizer@janix.test',
      displayName: 'Olga Organizer',
      role: 'organizer',
    },
  ];

  const venues = [
    'Harbour Hall',
    'Pier 9 Warehouse',
    'Old Town Theatre',
    'Riverside Stage',
    'Lighthouse Lawn',
  ];
  const events: DemoEvent[] = Array.from({ length: 6 }, (_, index) => {
    const start = new Date(now.getTime() + (index * 9 - 10) * 86_400_000);
    start.setUTCHours(18 + (index % 3), 0, 0, 0);
    const hours = faker.number.int({ min: 3, max: 6 });
    return {
      id: faker.string.uuid(),
      name: `${faker.music.genre()} ${faker.helpers.arrayElement(['Night', 'Sessions', 'Weekender', 'Live', 'Showcase'])}`,
      venue: venues[index % venues.length] ?? 'Harbour Hall',
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + hours * 3_600_000).toISOString(),
      status: index === 5 ? 'draft' : 'on_sale',
    };
  });

  const ticketTypes: DemoTicketType[] = events.flatMap((event) =>
    ticketTypeNames.slice(0, faker.number.int({ min: 2, max: 4 })).map(([name, priceCents]) => ({
      id: faker.string.uuid(),
      eventId: event.id,
      name,
      priceCents,
      currency: 'EUR',
      capacity: faker.number.int({ min: 20, max: 60 }) * 100,
    })),
  );

  const people: DemoPerson[] = Array.from({ length: attendeeCount }, (_, index) => {
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    return {
      id: faker.string.uuid(),
      // The index keeps addresses unique without retrying; example domains never deliver mail.
      email: `${firstName}.${lastName}.${index}@example.${faker.helpers.arrayElement(['com', 'org', 'net'])}`
        .toLowerCase()
        .replace(/[^a-z0-9.@-]/g, ''),
      firstName,
      lastName,
      company: faker.datatype.boolean(0.4) ? faker.company.name() : null,
      city: faker.location.city(),
      country: faker.location.countryCode(),
      marketingConsent: faker.datatype.boolean(0.35),
    };
  });

  const orders: DemoOrder[] = [];
  const tickets: DemoTicket[] = [];
  const sellable = events.filter((event) => event.status === 'on_sale');
  for (const person of people) {
    const eventsAttended = faker.helpers.arrayElements(
      sellable,
      faker.helpers.weightedArrayElement([
        { weight: 6, value: 1 },
        { weight: 3, value: 2 },
        { weight: 1, value: 3 },
      ]),
    );
    for (const event of eventsAttended) {
      const types = ticketTypes.filter((type) => type.eventId === event.id);
      const type = faker.helpers.arrayElement(types);
      const quantity = faker.helpers.weightedArrayElement([
        { weight: 7, value: 1 },
        { weight: 2, value: 2 },
        { weight: 1, value: 4 },
      ]);
      const order: DemoOrder = {
        id: faker.string.uuid(),
        eventId: event.id,
        personId: person.id,
        code: faker.string.alphanumeric({ length: 8, casing: 'upper' }),
        channel: faker.datatype.boolean(0.85) ? 'online' : 'box_office',
        totalCents: type.priceCents * quantity,
        currency: type.currency,
        createdAt: faker.date.recent({ days: 60, refDate: now }).toISOString(),
      };
      orders.push(order);
      for (let i = 0; i < quantity; i += 1) {
        tickets.push({
          id: faker.string.uuid(),
          orderId: order.id,
          eventId: event.id,
          ticketTypeId: type.id,
          personId: person.id,
          secret: '',
        });
      }
    }
  }
  return { org, users, events, ticketTypes, people, orders, tickets };
}
