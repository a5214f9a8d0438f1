import { columnsForRole, replicatedTables, tablesForRole } from '@janix/domain';
import type { Pool } from '../../../server/src/db/pools.ts';
import type { Device } from './device.ts';
import { checkNoOversell } from './box-office-checks.ts';
import { checkCheckIns } from './checkin-checks.ts';
import { fail } from './failure.ts';
import type { DeviceState } from './protocol.ts';

export interface OrgFacts {
  key: 'A' | 'B';
  id: string;
  /** The organization's version right after seeding: every applied command adds exactly one. */
  seedVersion: number;
}

export interface CheckInput {
  pool: Pool;
  orgs: OrgFacts[];
  devices: Array<{ device: Device; state: DeviceState }>;
  /**
   * Commands an org-B device sent naming an org-A event id. Ids are scoped by organization, so such a command
   * acts on org B's own id space (a create applies there, like one with an unused id); org A's event must
   * never change because of it.
   */
  crossOrg: Array<{ device: Device; seq: number; eventId: string; orgId: string }>;
  /**
   * Poison commands injected straight into an outbox (a buggy or newer console): each must end rejected with
   * this code (G1, G9), and the devices must still converge.
   */
  poison: Array<{ device: Device; seq: number; code: string; what: string }>;
  /** The quotas the box offices sell from, to count the ones sold out at the end. */
  boxOfficeQuotas: string[];
}

interface CommandResult {
  seq: number;
  name: string;
  status: 'applied' | 'rejected';
  code: string | null;
}

/** Server values as the replica stores them: timestamps as ISO strings, booleans as 0/1. */
function normalize(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  return value ?? null;
}

function show(value: unknown): string {
  return JSON.stringify(value, null, 0).slice(0, 600);
}

function decodeCursor(cursor: string | null): { o?: string; v?: number; snap?: unknown } | null {
  if (!cursor) return null;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: string; v?: number };
  } catch {
    return null;
  }
}

export async function orgVersion(pool: Pool, orgId: string): Promise<number> {
  const result = await pool.query<{ version: number }>('SELECT version FROM org_versions WHERE org_id = $1', [
    orgId,
  ]);
  return Number(result.rows[0]?.version ?? 0);
}

/** G1: every accepted command is on the server exactly once; every server rejection reached the device. */
async function checkNoLostCommand(input: CheckInput): Promise<void> {
  for (const { device, state } of input.devices) {
    const results = await input.pool.query<CommandResult>(
      'SELECT seq::int AS seq, name, status, code FROM command_results WHERE device_id = $1 ORDER BY seq',
      [device.deviceId],
    );
    const bySeq = new Map<number, CommandResult>();
    for (const row of results.rows) {
      if (bySeq.has(row.seq)) fail('G2', `${device.label}: command ${row.seq} has two results on the server`);
      bySeq.set(row.seq, row);
    }
    for (const [seq, command] of device.accepted) {
      const result = bySeq.get(seq);
      if (!result) {
        fail(
          'G1',
          `${device.label}: accepted command ${seq} (${command.name} ${command.eventId}` +
            `${command.confirmedAfterKill ? ', committed just before a kill -9' : ''}) never reached the server`,
        );
      }
      if (result.name !== command.name) {
        fail(
          'G1',
          `${device.label}: command ${seq} is ${command.name} on the device but ${result.name} on the server`,
        );
      }
      if (command.name === 'createEvent' && result.status === 'applied' && command.eventId !== '?') {
        const orgId = input.orgs.find((org) => org.key === device.org)!.id;
        const created = await input.pool.query<{ org_id: string }>(
          'SELECT org_id FROM events WHERE id = $1 AND org_id = $2',
          [command.eventId, orgId],
        );
        if (created.rows[0]?.org_id !== orgId) {
          fail(
            'G1',
            `${device.label}: createEvent ${seq} was applied but event ${command.eventId} is not there`,
          );
        }
      }
    }
    for (const seq of bySeq.keys()) {
      if (!device.accepted.has(seq)) {
        fail('G1', `${device.label}: the server holds command ${seq}, which the device never accepted`);
      }
    }
    const rejectedHere = new Map(state.rejections.map((rejection) => [rejection.seq, rejection]));
    for (const result of bySeq.values()) {
      if (result.status !== 'rejected') continue;
      const seen = rejectedHere.get(result.seq);
      if (!seen) {
        fail(
          'G1',
          `${device.label}: the server rejected command ${result.seq} (${result.code}) but the device's rejection history lacks it`,
        );
      }
      if (seen.code !== result.code) {
        fail(
          'G1',
          `${device.label}: rejection ${result.seq} is ${seen.code} on the device, ${result.code} on the server`,
        );
      }
    }
    for (const rejection of state.rejections) {
      if (bySeq.get(rejection.seq)?.status !== 'rejected') {
        fail(
          'G1',
          `${device.label}: the device shows command ${rejection.seq} as rejected; the server does not`,
        );
      }
    }
  }
}

/** G2: no (device, seq) twice, gapless sequences, and exactly one org version per applied command. */
async function checkExactlyOnce(input: CheckInput): Promise<void> {
  const duplicates = await input.pool.query(
    'SELECT device_id, seq FROM command_results GROUP BY device_id, seq HAVING count(*) > 1',
  );
  if (duplicates.rowCount) fail('G2', `duplicate command results: ${show(duplicates.rows)}`);
  for (const { device } of input.devices) {
    const seqs = await input.pool.query<{ seq: number }>(
      'SELECT seq::int AS seq FROM command_results WHERE device_id = $1 ORDER BY seq',
      [device.deviceId],
    );
    seqs.rows.forEach((row, index) => {
      if (row.seq !== index + 1) fail('G2', `${device.label}: command sequence has a gap before ${row.seq}`);
    });
    const mark = await input.pool.query<{ last_seq: number }>('SELECT last_seq FROM devices WHERE id = $1', [
      device.deviceId,
    ]);
    if (Number(mark.rows[0]?.last_seq) !== seqs.rows.length) {
      fail(
        'G2',
        `${device.label}: high-water mark ${mark.rows[0]?.last_seq} but ${seqs.rows.length} results`,
      );
    }
  }
  for (const org of input.orgs) {
    const applied = await input.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM command_results WHERE org_id = $1 AND status = 'applied'",
      [org.id],
    );
    // The server makes the organization's ticket signing key on first need (a sale, or a till fetching its
    // seats' codes); that takes a version of its own, outside any command.
    const keys = await input.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM ticket_signing_keys WHERE org_id = $1 AND version > $2',
      [org.id, org.seedVersion],
    );
    const version = await orgVersion(input.pool, org.id);
    const expected = org.seedVersion + applied.rows[0]!.n + keys.rows[0]!.n;
    if (version !== expected) {
      fail(
        'G2',
        `org ${org.key} is at version ${version}, expected ${expected} (seed ${org.seedVersion} + ${applied.rows[0]!.n} applied commands + ${keys.rows[0]!.n} signing keys made): an effect was applied twice or without a result`,
      );
    }
  }
}

/**
 * G3 (and G5 under concurrent commits): every replica equals the server's rows for its role, column for
 * column; G6: a role never holds a table or column it does not receive.
 */
async function checkConvergence(input: CheckInput): Promise<void> {
  for (const { device, state } of input.devices) {
    const org = input.orgs.find((candidate) => candidate.key === device.org)!;
    if (state.role !== device.role)
      fail('G6', `${device.label}: enrolled as ${state.role}, expected ${device.role}`);
    if (state.pendingOverlay !== 0) {
      fail('G3', `${device.label}: ${state.pendingOverlay} pending overlay rows remain after quiescence`);
    }
    const received = new Set(tablesForRole(device.role).map((spec) => spec.name));
    for (const spec of replicatedTables) {
      const local = state.tables[spec.name] ?? [];
      if (!received.has(spec.name)) {
        if (local.length)
          fail('G6', `${device.label} (${device.role}) holds ${local.length} ${spec.name} rows`);
        continue;
      }
      const columns = columnsForRole(spec, device.role);
      for (const row of local) {
        for (const [column, value] of Object.entries(row)) {
          if (!columns.includes(column) && value !== null) {
            fail('G6', `${device.label} (${device.role}) holds ${spec.name}.${column} of ${String(row.id)}`);
          }
        }
      }
      // Timestamps as the feed formats them (milliseconds, UTC), not through a JS Date and back.
      const types = new Map(spec.columns.map((column) => [column.name, column.type]));
      const selected = columns.map((column) =>
        types.get(column) === 'timestamptz'
          ? `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${column}`
          : column,
      );
      const remote = await input.pool.query({
        text: `SELECT ${selected.join(', ')} FROM ${spec.name} WHERE org_id = $1`,
        values: [org.id],
      });
      const project = (row: Record<string, unknown>) => columns.map((column) => normalize(row[column]));
      const serverRows = new Map(
        remote.rows.map((row: Record<string, unknown>) => [String(row.id), project(row)]),
      );
      const localRows = new Map(local.map((row) => [String(row.id), project(row)]));
      for (const [id, serverRow] of serverRows) {
        const localRow = localRows.get(id);
        if (!localRow)
          fail('G3', `${device.label}: ${spec.name} ${id} is on the server but not in the replica`);
        if (show(localRow) !== show(serverRow)) {
          fail(
            'G3',
            `${device.label}: ${spec.name} ${id} differs\n  replica ${show(localRow)}\n  server  ${show(serverRow)}\n  columns ${columns.join(',')}`,
          );
        }
      }
      for (const id of localRows.keys()) {
        if (!serverRows.has(id))
          fail('G3', `${device.label}: ${spec.name} ${id} is in the replica but not on the server`);
      }
    }
  }
}

/** G5: each cursor reached the organization's head (commit-ordered), with no snapshot left half-done. */
async function checkCursors(input: CheckInput): Promise<void> {
  for (const { device, state } of input.devices) {
    const org = input.orgs.find((candidate) => candidate.key === device.org)!;
    const head = await orgVersion(input.pool, org.id);
    const cursor = decodeCursor(state.cursor);
    if (!cursor) fail('G5', `${device.label}: no readable cursor after quiescence (${state.cursor})`);
    if (cursor.o !== org.id) fail('G5', `${device.label}: cursor of organization ${cursor.o}, not ${org.id}`);
    if (cursor.snap) fail('G5', `${device.label}: cursor still inside a snapshot: ${show(cursor)}`);
    if (cursor.v !== head) fail('G5', `${device.label}: cursor at version ${cursor.v}, the head is ${head}`);
    if (state.sync.headVersion !== head) {
      fail('G5', `${device.label}: engine saw head ${state.sync.headVersion}, the head is ${head}`);
    }
  }
}

/**
 * G6: no replica holds a row of the other organization (an id both use is fine: ids are scoped by
 * organization, and convergence already compared each replica with its own organization's rows); a command
 * naming another organization's id never changed that organization's row.
 */
async function checkIsolation(input: CheckInput): Promise<void> {
  const idsOf = async (orgId: string) => {
    const ids = new Set<string>();
    for (const spec of replicatedTables) {
      const result = await input.pool.query<{ id: string }>(`SELECT id FROM ${spec.name} WHERE org_id = $1`, [
        orgId,
      ]);
      for (const row of result.rows) ids.add(`${spec.name}:${row.id}`);
    }
    return ids;
  };
  const byOrg = new Map<string, Set<string>>();
  for (const org of input.orgs) byOrg.set(org.key, await idsOf(org.id));
  for (const { device, state } of input.devices) {
    const own = byOrg.get(device.org)!;
    for (const org of input.orgs) {
      if (org.key === device.org) continue;
      const foreign = byOrg.get(org.key)!;
      for (const [table, rows] of Object.entries(state.tables)) {
        const leaked = rows.find(
          (row) => foreign.has(`${table}:${String(row.id)}`) && !own.has(`${table}:${String(row.id)}`),
        );
        if (leaked)
          fail(
            'G6',
            `${device.label} (org ${device.org}) holds ${table} ${String(leaked.id)} of org ${org.key}`,
          );
      }
    }
  }
  for (const attempt of input.crossOrg) {
    const owner = await input.pool.query<{ updated_by: string | null }>(
      'SELECT updated_by FROM events WHERE id = $1 AND org_id = $2',
      [attempt.eventId, attempt.orgId],
    );
    if (!owner.rowCount) fail('G6', `event ${attempt.eventId} left its organization after a foreign command`);
    if (owner.rows[0]!.updated_by === attempt.device.label) {
      fail('G6', `${attempt.device.label}'s command ${attempt.seq} changed another organization's event`);
    }
  }
}

/** G9: every poison command ended rejected, with the code its kind of poison calls for. */
async function checkPoison(input: CheckInput): Promise<void> {
  for (const poison of input.poison) {
    const result = await input.pool.query<{ status: string; code: string | null }>(
      'SELECT status, code FROM command_results WHERE device_id = $1 AND seq = $2',
      [poison.device.deviceId, poison.seq],
    );
    const outcome = result.rows[0];
    if (outcome?.status !== 'rejected' || outcome.code !== poison.code) {
      fail(
        'G9',
        `${poison.device.label}: poison command ${poison.seq} (${poison.what}) ended ${outcome ? `${outcome.status} ${outcome.code ?? ''}` : 'unrecorded'}, expected rejected ${poison.code}`,
      );
    }
  }
}

/** G9: nothing left in any outbox, and no device reports an error, a needed update or a needed sign-in. */
function checkNotWedged(input: CheckInput): void {
  for (const { device, state } of input.devices) {
    if (state.outbox.length) {
      fail('G9', `${device.label}: ${state.outbox.length} commands still queued: ${show(state.outbox[0])}`);
    }
    if (state.sync.lastError)
      fail('G9', `${device.label}: still failing after quiescence: ${state.sync.lastError}`);
    if (state.sync.updateRequired || state.sync.signInRequired) {
      fail('G9', `${device.label}: stuck (${show(state.sync)})`);
    }
  }
}

export async function checkGuarantees(input: CheckInput): Promise<{ soldOut: number; alerts: number }> {
  checkNotWedged(input);
  await checkNoLostCommand(input);
  await checkExactlyOnce(input);
  await checkConvergence(input);
  await checkCursors(input);
  await checkIsolation(input);
  await checkPoison(input);
  const { soldOut } = await checkNoOversell(input);
  return { soldOut, ...(await checkCheckIns(input)) };
}
