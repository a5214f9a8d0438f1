import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { generateDemoOrg } from '@janix/testkit';
import { MAX_PUSH_BATCH, PROTOCOL_VERSION, type CommandEnvelope } from '@janix/schemas';
import { REPLICA_SCHEMA_VERSION } from '@janix/local-core';
import { serverApi } from '../lib/accounts.ts';
import { describeCpu, startCpuAccount } from '../lib/cpu.ts';
import { seededServer } from '../lib/demo.ts';
import { options } from '../lib/options.ts';
import { emit, log, round } from '../lib/output.ts';

const header = { protocolVersion: PROTOCOL_VERSION, schemaVersion: REPLICA_SCHEMA_VERSION };

/**
 * Small commands through the server: several enrolled devices push `updateEvent` commands concurrently in
 * batches of 100 over HTTP (tRPC), each device renaming its own event, measured as commands applied per
 * second at the server (first request sent to last response, every result checked). Floor: the same number
 * of single-row INSERT statements, one transaction each, into a table shaped like command_results, over the
 * same loopback with the same concurrency (one connection per device).
 */
export async function syncPush(): Promise<void> {
  const org = await seededServer(generateDemoOrg({ attendees: 50 }));
  try {
    const devices = await Promise.all(
      Array.from({ length: options.pushDevices }, async (_, index) => {
        const device = await org.enroll(`Till ${index}`);
        return {
          api: serverApi(org.host.url, { session: org.owner.token, device: device.deviceToken }),
          eventId: randomUUID(),
          seq: 0,
        };
      }),
    );
    const clientTime = () => new Date().toISOString();
    // Each device creates its own event first (and warms its connection); untimed.
    await Promise.all(
      devices.map(async (device) => {
        device.seq += 1;
        const result = await device.api.sync.push.mutate({
          ...header,
          commands: [
            {
              seq: device.seq,
              name: 'createEvent',
              clientTime: clientTime(),
              args: {
                eventId: device.eventId,
                draft: {
                  name: 'Push bench',
                  venue: 'Harbour Hall',
                  startsAt: '2026-12-01T19:00:00Z',
                  endsAt: '2026-12-01T23:00:00Z',
                  status: 'draft',
                },
              },
            },
          ],
        });
        if (result.results[0]?.status !== 'applied')
          throw new Error(`createEvent: ${JSON.stringify(result)}`);
      }),
    );

    const perDevice = options.pushCommands;
    const total = perDevice * devices.length;
    let applied = 0;
    const cpu = await startCpuAccount({ server: [org.host.process] }, org.host.database);
    const started = performance.now();
    await Promise.all(
      devices.map(async (device) => {
        for (let sent = 0; sent < perDevice; sent += MAX_PUSH_BATCH) {
          const commands: CommandEnvelope[] = [];
          for (let i = 0; i < Math.min(MAX_PUSH_BATCH, perDevice - sent); i += 1) {
            device.seq += 1;
            commands.push({
              seq: device.seq,
              name: 'updateEvent',
              clientTime: clientTime(),
              args: { eventId: device.eventId, patch: { name: `Push bench ${device.seq}` } },
            });
          }
          const result = await device.api.sync.push.mutate({ ...header, commands });
          for (const outcome of result.results) {
            if (outcome.status !== 'applied')
              throw new Error(`command ${outcome.seq}: ${JSON.stringify(outcome)}`);
          }
          applied += result.results.length;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    log(`CPU during the pushes: ${describeCpu(await cpu.read(), seconds)} (bench = the devices)`);
    const stored = await org.host.adminPool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM command_results WHERE status = 'applied' AND name = 'updateEvent'",
    );
    if (applied !== total || stored.rows[0]!.n !== total)
      throw new Error(`applied ${applied}, stored ${stored.rows[0]!.n}, expected ${total}`);
    const cmdsPerS = total / seconds;
    log(`push: ${total} commands from ${devices.length} devices in ${seconds.toFixed(2)} s`);

    const floorPerS = await insertFloor(org.host.dbUrl, devices.length, perDevice);
    emit({
      bench: 'sync.push',
      cmds_per_s: Math.round(cmdsPerS),
      floor_per_s: Math.round(floorPerS),
      ratio: round(cmdsPerS / floorPerS, 3),
      commands: total,
    });
  } finally {
    await org.close();
  }
}

/** Single-row INSERTs in autocommit (one transaction each), `connections` at a time; rows per second. */
async function insertFloor(dbUrl: string, connections: number, perConnection: number): Promise<number> {
  const setup = new pg.Client({ connectionString: dbUrl });
  await setup.connect();
  await setup.query(`CREATE TABLE bench_push_floor (
    org_id uuid NOT NULL, device_id uuid NOT NULL, seq bigint NOT NULL, name text NOT NULL, status text NOT NULL,
    code text, message text, user_id uuid, client_time timestamptz, created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (device_id, seq))`);
  await setup.end();
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const client = new pg.Client({ connectionString: dbUrl });
      await client.connect();
      return client;
    }),
  );
  try {
    const orgId = randomUUID();
    const started = performance.now();
    await Promise.all(
      clients.map(async (client) => {
        const deviceId = randomUUID();
        for (let seq = 1; seq <= perConnection; seq += 1) {
          await client.query(
            `INSERT INTO bench_push_floor (org_id, device_id, seq, name, status, user_id, client_time)
             VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [orgId, deviceId, seq, 'updateEvent', 'applied', orgId, new Date()],
          );
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    log(`floor: ${connections * perConnection} single-row INSERT transactions in ${seconds.toFixed(2)} s`);
    return (connections * perConnection) / seconds;
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
}
