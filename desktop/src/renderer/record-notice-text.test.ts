import { describe, expect, it } from 'vitest';
import type { RecordNotice } from '@janix/local-core';
import { describeRecordNotice, recordNoticeTag } from './record-notice-text.ts';

const base = {
  id: 1,
  table: 'events',
  recordId: 'e1',
  label: 'Harbour Gala',
  createdAt: '2026-12-03T18:10:00Z',
};

describe('describeRecordNotice', () => {
  it('says who overwrote which field of the user’s edit, and when', () => {
    const notice: RecordNotice = {
      ...base,
      kind: 'overwritten',
      detail: { fields: ['venue'], by: 'Box office 1', at: '2026-12-03T19:04:00' },
    };
    const text = describeRecordNotice(notice, new Date('2026-12-03T20:00:00'), 'en-GB');
    expect(text).toBe('Venue was changed by Box office 1 at 19:04 after your edit.');
    expect(recordNoticeTag(notice)).toBe('Changed by Box office 1');
  });

  it('names the record of a refused change', () => {
    const notice: RecordNotice = {
      ...base,
      kind: 'rejected',
      detail: {
        seq: 4,
        command: 'updateEvent',
        code: 'invalid_times',
        message: 'The event must end after it starts.',
      },
    };
    expect(describeRecordNotice(notice, new Date())).toBe(
      'Your change “Update event” to “Harbour Gala” was refused: The event must end after it starts.',
    );
  });

  it('copes with an unknown author and several fields', () => {
    const notice: RecordNotice = {
      ...base,
      kind: 'overwritten',
      detail: { fields: ['name', 'venue', 'starts_at'], by: null, at: null },
    };
    expect(describeRecordNotice(notice, new Date())).toBe(
      'Name, Venue and Start were changed on another console after your edit.',
    );
  });
});
