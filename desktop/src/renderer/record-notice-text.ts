import type { RecordNotice } from '@janix/local-core';
import { commandLabel } from './command-labels.ts';

/** Replica column names as the event form labels them. */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  name: 'Name',
  venue: 'Venue',
  starts_at: 'Start',
  ends_at: 'End',
  status: 'Status',
};

function fieldList(fields: readonly string[]): string {
  const labels = fields.map((field) => FIELD_LABELS[field] ?? field);
  if (labels.length <= 1) return labels.join('');
  return `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)!}`;
}

/** "19:04" for today, "3 Dec, 19:04" otherwise. */
function formatWhen(iso: string, now: Date, locale?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const sameDay = date.toDateString() === now.toDateString();
  return new Intl.DateTimeFormat(locale, {
    ...(sameDay ? {} : { day: 'numeric', month: 'short' }),
    hour: '2-digit',
    minute: '2-digit',
  }).format(date);
}

/**
 * The sentence shown on a record and in the notice list, e.g. "Venue changed by Box office 1 at 19:04 after
 * your edit" or "Your change to “Gala” was refused: The event must end after it starts."
 */
export function describeRecordNotice(notice: RecordNotice, now: Date, locale?: string): string {
  if (notice.kind === 'overwritten') {
    const { fields, by, at } = notice.detail;
    const who = by ? ` by ${by}` : ' on another console';
    const when = at ? ` at ${formatWhen(at, now, locale)}` : '';
    const verb = fields.length === 1 ? 'was' : 'were';
    return `${fieldList(fields)} ${verb} changed${who}${when} after your edit.`;
  }
  const { command, message } = notice.detail;
  return `Your change “${commandLabel(command)}” to “${notice.label}” was refused: ${message}`;
}

/** The short tag on a list row. */
export function recordNoticeTag(notice: RecordNotice): string {
  if (notice.kind === 'rejected') return 'Change refused';
  return notice.detail.by ? `Changed by ${notice.detail.by}` : 'Changed elsewhere';
}
