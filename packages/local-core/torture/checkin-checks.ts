/**
 * Check-in, checked after every run once every device has synced: each scan a door recorded is on the server
 * exactly once, as the door recorded it (G1, G2), and none was refused at upload (an offline scan is never
 * refused, ARCHITECTURE.md §4); the server's double-entry alerts are exactly the ones its own rules find when
 * its scans are replayed in the order it recorded them; every door shows the server's scans and alerts, and all
 * doors show the same counts, which agree with the server's scans and tickets (G3).
 */
import {
  findDoubleEntries,
  gateListOf,
  pastScanOf,
  rowFromRecord,
  tablesForRole,
  type PastScan,
  type RowOf,
} from '@janix/domain';
import type { CheckInput, OrgFacts } from './checks.ts';
import type { Device } from './device.ts';
import { fail } from './failure.ts';

type ListRow = RowOf<'checkin_lists'>;
type ScanRow = RowOf<'check_ins'>;
type AlertRow = RowOf<'entry_alerts'>;

const show = (value: unknown) => JSON.stringify(value).slice(0, 600);

/** The organization's lists, scans (in the order the server recorded them) and alerts, as the rules read rows. */
async function serverCheckIns(input: CheckInput, orgId: string) {
  const read = async <T extends 'checkin_lists' | 'check_ins' | 'entry_alerts'>(table: T) => {
    const result = await input.pool.query<Record<string, unknown>>(
      // Each command's rows carry its own organization version, so version order is the order of recording.
      `SELECT * FROM ${table} WHERE org_id = $1 ORDER BY version, id`,
      [orgId],
    );
    return result.rows.map((record) => rowFromRecord(table, record));
  };
  return {
    lists: await read('checkin_lists'),
    scans: await read('check_ins'),
    alerts: await read('entry_alerts'),
  };
}

/**
 * Every scan a device recorded (its accepted recordScan commands) is on the server once, with the device's id,
 * list, verdict and time; the server holds no scan a device did not record; and none was rejected. A scan
 * whose reply a kill -9 cut off, pushed before the device restarted, is known by count only: its id was never
 * seen by the harness.
 */
async function checkScansRecorded(input: CheckInput, org: OrgFacts, scans: ScanRow[]): Promise<void> {
  const rejected = await input.pool.query<{ device_id: string; seq: number; code: string; message: string }>(
    `SELECT device_id, seq::int AS seq, code, message FROM command_results
     WHERE org_id = $1 AND name = 'recordScan' AND status = 'rejected' ORDER BY device_id, seq`,
    [org.id],
  );
  if (rejected.rowCount) {
    fail('check-in', `scans were refused at upload: ${show(rejected.rows)}`);
  }
  const byId = new Map(scans.map((scan) => [scan.id, scan]));
  for (const { device, state } of input.devices) {
    if (device.org !== org.key) continue;
    const refused = state.rejections.find((rejection) => rejection.name === 'recordScan');
    if (refused) fail('check-in', `${device.label} shows scan ${refused.seq} as refused: ${show(refused)}`);
    const recorded = [...device.accepted.values()].filter((command) => command.name === 'recordScan');
    const onServer = scans.filter((scan) => scan.deviceId === device.deviceId);
    const seen = new Set<string>();
    for (const command of recorded) {
      const scanId = command.args.scanId;
      if (typeof scanId !== 'string') continue;
      seen.add(scanId);
      const scan = byId.get(scanId);
      if (!scan)
        fail('G1', `${device.label}: scan ${scanId} (command ${command.seq}) never reached the server`);
      const expected = {
        deviceId: device.deviceId,
        listId: command.args.listId,
        outcome: command.args.outcome,
        code: command.args.code,
        scannedAt: command.args.scannedAt,
      };
      const stored = {
        deviceId: scan.deviceId,
        listId: scan.listId,
        outcome: scan.outcome,
        code: scan.code,
        scannedAt: scan.scannedAt,
      };
      if (show(stored) !== show(expected)) {
        fail(
          'G1',
          `${device.label}: scan ${scanId} is ${show(stored)} on the server, the door recorded ${show(expected)}`,
        );
      }
    }
    const unseen = onServer.filter((scan) => !seen.has(scan.id));
    const unknownIds = recorded.length - seen.size;
    if (onServer.length > recorded.length || unseen.length > unknownIds) {
      fail(
        'G2',
        `${device.label} recorded ${recorded.length} scans but the server holds ${onServer.length} of it` +
          ` (${unseen.length} the harness never saw, ${unknownIds} of them cut off by a kill): ${show(unseen.map((scan) => scan.id))}`,
      );
    }
    if (onServer.length < recorded.length) {
      fail(
        'G1',
        `${device.label} recorded ${recorded.length} scans but the server holds ${onServer.length} of it`,
      );
    }
  }
}

/**
 * The alerts the server must hold: its scans replayed through the domain's `findDoubleEntries` in the order it
 * recorded them, each against the ticket's scans on the list recorded before it, as the server decides each
 * one. An alert stays once written (a late exit can make an earlier alert look needless in hindsight), so the
 * replay follows the server's order rather than judging the final history alone.
 */
function expectedAlerts(lists: ListRow[], scans: ScanRow[]) {
  const gates = new Map(lists.map((list) => [list.id, gateListOf(list)]));
  const before = new Map<string, PastScan[]>();
  const expected = new Map<string, { listId: string; ticketId: string; first: string }>();
  for (const row of scans) {
    if (row.ticketId === null) continue;
    const list = gates.get(row.listId);
    if (!list) fail('check-in', `scan ${row.id} is of list ${row.listId}, which the server does not hold`);
    const key = `${row.listId}:${row.ticketId}`;
    const history = before.get(key) ?? [];
    const scan = pastScanOf(row);
    for (const { first, second } of findDoubleEntries({ list, history, scan })) {
      if (!expected.has(second.id)) {
        expected.set(second.id, { listId: row.listId, ticketId: row.ticketId, first: first.id });
      }
    }
    before.set(key, [...history, scan]);
  }
  return expected;
}

/** Exactly one alert per double entry, naming both scans, and no alert without one. */
function checkAlerts(lists: ListRow[], scans: ScanRow[], alerts: AlertRow[]): void {
  const expected = expectedAlerts(lists, scans);
  const held = new Map(alerts.map((alert) => [alert.id, alert]));
  for (const [id, double] of expected) {
    const alert = held.get(id);
    if (!alert) {
      fail(
        'check-in',
        `ticket ${double.ticketId} was admitted twice on list ${double.listId} (scans ${double.first} then ${id}) but the server holds no alert`,
      );
    }
    const named = { listId: alert.listId, ticketId: alert.ticketId, first: alert.firstCheckInId };
    if (alert.secondCheckInId !== id || show(named) !== show(double)) {
      fail('check-in', `alert ${id} is ${show(alert)}, the scans call for ${show(double)}`);
    }
  }
  for (const alert of alerts) {
    if (!expected.has(alert.id)) {
      fail('check-in', `alert ${alert.id} flags a double entry the scans do not hold: ${show(alert)}`);
    }
  }
}

/**
 * What the check-in screens of every door show: each list with the server's latest scans (none pending), the
 * server's alerts of each event, and the same counts on every door, whose checked-in and total agree with
 * the server's scans and valid tickets.
 */
async function checkDoors(
  input: CheckInput,
  org: OrgFacts,
  server: { lists: ListRow[]; scans: ScanRow[]; alerts: AlertRow[] },
): Promise<void> {
  const eventIds = [...new Set(server.lists.map((list) => list.eventId))];
  const doors = input.devices.filter(
    ({ device }) =>
      device.org === org.key && tablesForRole(device.role).some((spec) => spec.name === 'check_ins'),
  );
  const expected = new Map<string, { recent: string[]; checkedIn: number; total: number }>();
  for (const list of server.lists) {
    const scans = server.scans.filter((scan) => scan.listId === list.id);
    const newestFirst = [...scans].sort((a, b) =>
      a.scannedAt < b.scannedAt ? 1 : a.scannedAt > b.scannedAt ? -1 : a.id < b.id ? 1 : -1,
    );
    const admitted = scans.filter((scan) => scan.outcome === 'admitted' && scan.ticketId !== null);
    const total = await input.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tickets WHERE org_id = $1 AND event_id = $2 AND status = 'valid'
       AND (cardinality($3::uuid[]) = 0 OR ticket_type_id = ANY($3::uuid[]))`,
      [org.id, list.eventId, gateListOf(list).ticketTypeIds],
    );
    expected.set(list.id, {
      recent: newestFirst.slice(0, 200).map((scan) => scan.id),
      checkedIn: new Set(admitted.map((scan) => scan.ticketId)).size,
      total: total.rows[0]!.n,
    });
  }
  let reference: { device: Device; counts: Record<string, unknown> } | null = null;
  for (const { device } of doors) {
    const view = await device.checkInView(
      server.lists.map((list) => list.id),
      eventIds,
    );
    const counts: Record<string, unknown> = {};
    for (const list of server.lists) {
      const seen = view.lists[list.id];
      const want = expected.get(list.id)!;
      if (!seen) fail('G3', `${device.label} does not hold check-in list ${list.id}`);
      if (seen.pending) fail('G3', `${device.label}: ${seen.pending} scans of list ${list.id} still pending`);
      if (show(seen.recent) !== show(want.recent)) {
        fail(
          'G3',
          `${device.label}: list ${list.id}'s recent scans differ from the server's\n  door   ${show(seen.recent)}\n  server ${show(want.recent)}`,
        );
      }
      if (seen.counts.checkedIn !== want.checkedIn || seen.counts.total !== want.total) {
        fail(
          'G3',
          `${device.label}: list ${list.id} counts ${seen.counts.checkedIn} checked in of ${seen.counts.total}, the server ${want.checkedIn} of ${want.total}`,
        );
      }
      counts[list.id] = seen.counts;
    }
    if (!reference) reference = { device, counts };
    else if (show(counts) !== show(reference.counts)) {
      fail(
        'G3',
        `check-in counts differ between doors\n  ${reference.device.label} ${show(reference.counts)}\n  ${device.label} ${show(counts)}`,
      );
    }
    for (const eventId of eventIds) {
      const shown = view.alerts[eventId]!.map(
        (alert) => `${alert.id}:${alert.listId}:${alert.ticketId}`,
      ).sort();
      const held = server.alerts
        .filter((alert) => alert.eventId === eventId)
        .map((alert) => `${alert.id}:${alert.listId}:${alert.ticketId}`)
        .sort();
      if (show(shown) !== show(held)) {
        fail(
          'G3',
          `${device.label}: alerts of event ${eventId} differ\n  door   ${show(shown)}\n  server ${show(held)}`,
        );
      }
    }
  }
}

/** The check-in checks for every organization; answers how many double-entry alerts the server holds. */
export async function checkCheckIns(input: CheckInput): Promise<{ alerts: number }> {
  let alerts = 0;
  for (const org of input.orgs) {
    const server = await serverCheckIns(input, org.id);
    await checkScansRecorded(input, org, server.scans);
    checkAlerts(server.lists, server.scans, server.alerts);
    await checkDoors(input, org, server);
    alerts += server.alerts.length;
  }
  return { alerts };
}
