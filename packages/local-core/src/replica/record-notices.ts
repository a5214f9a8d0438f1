import { z } from 'zod';
import type { ReplicatedTableName, TableBatch } from '@janix/schemas';
import type { ReplicaDb } from './open-replica.ts';

/** A record a queued command writes, with the fields it sets (replica column names) and their new values. */
export interface TouchedRecord {
  table: ReplicatedTableName;
  id: string;
  /** What the person calls the record (an event's name), for notices. */
  label: string;
  fields: Record<string, unknown>;
}

const overwrittenDetail = z.object({
  fields: z.array(z.string()),
  /** Device name of the console that made the later change, when the server says. */
  by: z.string().nullable(),
  /** When the server applied it. */
  at: z.string().nullable(),
});
const rejectedDetail = z.object({
  seq: z.number().int(),
  command: z.string(),
  code: z.string(),
  message: z.string(),
});

export type RecordNotice =
  | ({ kind: 'overwritten' } & NoticeBase & { detail: z.infer<typeof overwrittenDetail> })
  | ({ kind: 'rejected' } & NoticeBase & { detail: z.infer<typeof rejectedDetail> });
interface NoticeBase {
  id: number;
  table: string | null;
  recordId: string | null;
  label: string;
  createdAt: string;
}

/** Own edits older than this are no longer reported when someone changes the field afterwards. */
const OWN_EDIT_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** Timestamps arrive from the server as ISO text in its own spelling: compare instants, not strings. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return a == b;
  if (typeof a === 'string' && typeof b === 'string') {
    const [x, y] = [Date.parse(a), Date.parse(b)];
    return /^\d{4}-\d\d-\d\dT/.test(a) && /^\d{4}-\d\d-\d\dT/.test(b) && !Number.isNaN(x) && x === y;
  }
  return typeof a === 'boolean' || typeof b === 'boolean' ? Number(a) === Number(b) : false;
}

/**
 * What the console tells its user about its own changes, kept per record: a command the server refused (named
 * by its record, not only its command), and an applied edit that another console's later change overwrote.
 * For the second it remembers, per command, the fields it set; on pull, a row whose field no longer holds
 * this console's latest applied value was changed by someone after it.
 */
export function createRecordNotices(db: ReplicaDb) {
  const insertTarget = db.prepare(
    'INSERT OR IGNORE INTO command_targets (seq, table_name, record_id, label) VALUES (?, ?, ?, ?)',
  );
  const insertEdit = db.prepare(
    'INSERT OR REPLACE INTO own_edits (seq, table_name, record_id, field, value, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const targetsOf = db.prepare<[number], { table_name: string; record_id: string; label: string }>(
    'SELECT table_name, record_id, label FROM command_targets WHERE seq = ?',
  );
  const forgetTargets = db.prepare<[number]>('DELETE FROM command_targets WHERE seq <= ?');
  const forgetEditsOf = db.prepare<[number]>('DELETE FROM own_edits WHERE seq = ?');
  const anyEdits = db.prepare<[string], { n: number }>(
    'SELECT count(*) AS n FROM own_edits WHERE table_name = ?',
  );
  // This console's latest edit of each field of a record, if the server has applied it: a later edit still
  // queued will overwrite whatever arrives, so a field with one is not reported.
  const appliedEdits = db.prepare<
    [string, string, number],
    { field: string; value: string | null; seq: number }
  >(
    `SELECT field, value, seq FROM own_edits e
     WHERE table_name = ? AND record_id = ? AND seq <= ?
       AND seq = (SELECT max(seq) FROM own_edits x
                  WHERE x.table_name = e.table_name AND x.record_id = e.record_id AND x.field = e.field)`,
  );
  const forgetField = db.prepare<[string, string, string, number]>(
    'DELETE FROM own_edits WHERE table_name = ? AND record_id = ? AND field = ? AND seq <= ?',
  );
  const pruneEdits = db.prepare<[number, string]>('DELETE FROM own_edits WHERE seq <= ? AND recorded_at < ?');
  const insertNotice = db.prepare(
    'INSERT INTO record_notices (kind, table_name, record_id, label, detail, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const openOverwrite = db.prepare<[string, string], { id: number; detail: string }>(
    `SELECT id, detail FROM record_notices WHERE kind = 'overwritten' AND table_name = ? AND record_id = ?`,
  );
  const updateNotice = db.prepare(
    'UPDATE record_notices SET label = ?, detail = ?, created_at = ? WHERE id = ?',
  );
  const listNotices = db.prepare<
    [],
    {
      id: number;
      kind: string;
      table_name: string | null;
      record_id: string | null;
      label: string;
      detail: string;
      created_at: string;
    }
  >('SELECT * FROM record_notices ORDER BY id DESC LIMIT 200');
  const countByKind = db.prepare<[], { kind: string; n: number }>(
    'SELECT kind, count(*) AS n FROM record_notices GROUP BY kind',
  );
  const removeNotice = db.prepare<[number]>('DELETE FROM record_notices WHERE id = ?');

  function noticeOverwrite(
    table: string,
    id: string,
    label: string,
    fields: string[],
    by: string | null,
    at: string | null,
    now: string,
  ): void {
    const open = openOverwrite.get(table, id);
    if (open) {
      const previous = overwrittenDetail.safeParse(JSON.parse(open.detail));
      const merged = [...new Set([...(previous.success ? previous.data.fields : []), ...fields])];
      updateNotice.run(label, JSON.stringify({ fields: merged, by, at }), now, open.id);
    } else {
      insertNotice.run('overwritten', table, id, label, JSON.stringify({ fields, by, at }), now);
    }
  }

  return {
    /** Called in the transaction that queues command `seq`. */
    recordCommand(seq: number, touched: TouchedRecord[], now: Date): void {
      for (const record of touched) {
        insertTarget.run(seq, record.table, record.id, record.label);
        for (const [field, value] of Object.entries(record.fields)) {
          insertEdit.run(
            seq,
            record.table,
            record.id,
            field,
            JSON.stringify(value ?? null),
            now.toISOString(),
          );
        }
      }
    },

    /** A refused command becomes a notice on each record it touched; its edits were never applied. */
    recordRejection(rejection: {
      seq: number;
      name: string;
      code: string;
      message: string;
      rejectedAt: string;
    }): void {
      const detail = JSON.stringify({
        seq: rejection.seq,
        command: rejection.name,
        code: rejection.code,
        message: rejection.message,
      });
      const targets = targetsOf.all(rejection.seq);
      if (targets.length === 0)
        insertNotice.run('rejected', null, null, rejection.name, detail, rejection.rejectedAt);
      for (const target of targets) {
        insertNotice.run(
          'rejected',
          target.table_name,
          target.record_id,
          target.label,
          detail,
          rejection.rejectedAt,
        );
      }
      forgetEditsOf.run(rejection.seq);
    },

    /** Commands up to `lastAppliedSeq` have their outcome: their targets are no longer needed. */
    acknowledge(lastAppliedSeq: number): void {
      forgetTargets.run(lastAppliedSeq);
    },

    /**
     * Compares pulled rows with this console's applied edits and records a notice for every field another
     * change has since overwritten. Runs after the page (and its acknowledgements) committed.
     */
    detectOverwrites(batches: readonly TableBatch[], lastAppliedSeq: number, now: Date): boolean {
      let noticed = false;
      for (const batch of batches) {
        if (anyEdits.get(batch.table)!.n === 0) continue;
        const column = (name: string) => batch.columns.indexOf(name);
        const [idAt, byAt, updatedAt, nameAt] = [
          column('id'),
          column('updated_by'),
          column('updated_at'),
          column('name'),
        ];
        for (const row of batch.rows) {
          const id = String(row[idAt]);
          const overwritten: string[] = [];
          for (const edit of appliedEdits.all(batch.table, id, lastAppliedSeq)) {
            const at = column(edit.field);
            if (at < 0) continue;
            if (sameValue(JSON.parse(edit.value ?? 'null'), row[at])) continue;
            overwritten.push(edit.field);
            forgetField.run(batch.table, id, edit.field, edit.seq);
          }
          if (overwritten.length === 0) continue;
          noticed = true;
          const label = nameAt >= 0 && typeof row[nameAt] === 'string' ? (row[nameAt] as string) : id;
          const by = byAt >= 0 && typeof row[byAt] === 'string' ? (row[byAt] as string) : null;
          const at = updatedAt >= 0 && typeof row[updatedAt] === 'string' ? (row[updatedAt] as string) : null;
          noticeOverwrite(batch.table, id, label, overwritten, by, at, now.toISOString());
        }
      }
      pruneEdits.run(lastAppliedSeq, new Date(now.getTime() - OWN_EDIT_RETENTION_MS).toISOString());
      return noticed;
    },

    list(): RecordNotice[] {
      return listNotices.all().flatMap((row): RecordNotice[] => {
        const base = {
          id: row.id,
          table: row.table_name,
          recordId: row.record_id,
          label: row.label,
          createdAt: row.created_at,
        };
        const raw = JSON.parse(row.detail) as unknown;
        if (row.kind === 'overwritten') {
          const detail = overwrittenDetail.safeParse(raw);
          return detail.success ? [{ kind: 'overwritten', ...base, detail: detail.data }] : [];
        }
        const detail = rejectedDetail.safeParse(raw);
        return detail.success ? [{ kind: 'rejected', ...base, detail: detail.data }] : [];
      });
    },

    counts(): { rejected: number; overwritten: number } {
      const counts = { rejected: 0, overwritten: 0 };
      for (const row of countByKind.all())
        if (row.kind in counts) counts[row.kind as keyof typeof counts] = row.n;
      return counts;
    },

    dismiss(id: number): boolean {
      return removeNotice.run(id).changes > 0;
    },
  };
}
export type RecordNotices = ReturnType<typeof createRecordNotices>;
