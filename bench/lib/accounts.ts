import { createTRPCClient, httpLink } from '@trpc/client';
import type { AppRouter } from '@janix/server';
import type { EnrolledDevice, SignedInUser } from '@janix/schemas';
import { openLocalCore, type LocalCore, type LocalCoreOptions } from '@janix/local-core';
import type { ServerHost } from './server-host.ts';
import { log, warnOnce } from './output.ts';

export interface Session {
  token: string;
  user: SignedInUser;
}

/** The server's tRPC API, with the headers the console sends (see local-core's server-client.ts). */
export function serverApi(url: string, tokens: { session?: string; device?: string } = {}) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${url}/trpc`,
        headers() {
          const headers: Record<string, string> = {};
          if (tokens.session) headers.authorization = `Bearer ${tokens.session}`;
          if (tokens.device) headers['x-janix-device'] = `Bearer ${tokens.device}`;
          return headers;
        },
      }),
    ],
  });
}

/** Signs in by email code (read from the development mailbox). */
export async function signIn(host: ServerHost, email: string): Promise<Session> {
  const api = serverApi(host.url);
  await api.auth.requestCode.mutate({ email });
  const { sessionToken, user } = await api.auth.verifyCode.mutate({
    email,
    code: await host.signInCode(email),
  });
  return { token: sessionToken, user };
}

/**
 * Enrolls a device through the server API, as the console's `device.enroll` does, but without starting a
 * sync yet, so a benchmark decides when the first pull goes out. The device must replicate what its
 * enrolling member's role gets: if the server recorded another role, that is corrected here (and reported).
 */
export async function enrollDevice(
  host: ServerHost,
  session: Session,
  orgId: string,
  name: string,
): Promise<EnrolledDevice> {
  const device = await serverApi(host.url, { session: session.token }).devices.enroll.mutate({ orgId, name });
  const { rows } = await host.adminPool.query<{ role: string; member_role: string }>(
    `SELECT d.role, m.role AS member_role FROM devices d
     JOIN memberships m ON m.org_id = d.org_id AND m.user_id = d.enrolled_by WHERE d.id = $1`,
    [device.deviceId],
  );
  const row = rows[0];
  if (row && row.role !== row.member_role) {
    warnOnce(
      `product bug: devices.enroll stored role '${row.role}' for a device enrolled by a '${row.member_role}' ` +
        `(server/src/trpc/routers/devices.ts INSERT omits devices.role); the bench corrects it in the database`,
    );
    await host.adminPool.query('UPDATE devices SET role = $2 WHERE id = $1', [
      device.deviceId,
      row.member_role,
    ]);
  }
  return device;
}

/**
 * Opens a console that is signed in and enrolled as `device`. With autoSync the core is reopened, so its
 * background loop starts the way it does when a console starts up already enrolled.
 */
export async function openEnrolledConsole(
  options: Omit<LocalCoreOptions, 'autoSync'> & { autoSync: boolean },
  session: Session,
  device: EnrolledDevice,
): Promise<LocalCore> {
  const setup = await openLocalCore({ ...options, autoSync: false });
  setup.replica().meta.set('session', session);
  setup.replica().meta.set('device', device);
  if (!options.autoSync) return setup;
  await setup.close();
  return openLocalCore(options);
}

/** A console's first sync, which must succeed; logs how long it took and answers the tickets it holds. */
export async function syncReplica(core: LocalCore, what: string): Promise<number> {
  const started = performance.now();
  await core.syncNow();
  if (core.sync().state.lastError) throw new Error(`initial sync: ${core.sync().state.lastError}`);
  const { db } = core.replica();
  const tickets = (db.prepare('SELECT count(*) AS n FROM tickets').get() as { n: number }).n;
  log(`${what} replica synced: ${tickets} tickets in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return tickets;
}
