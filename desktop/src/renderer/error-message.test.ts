import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { commandLabel } from './command-labels.ts';
import { errorMessage, LOCAL_SERVICE_UNREACHABLE } from './error-message.ts';

describe('errorMessage', () => {
  it("shows the core's message for errors it answered", () => {
    const error = TRPCClientError.from({
      error: {
        message: 'The Janix server cannot be reached. Check the network.',
        code: -32603,
        data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503 },
      },
    });
    expect(errorMessage(error)).toBe('The Janix server cannot be reached. Check the network.');
  });

  it('explains a transport failure', () => {
    expect(errorMessage(TRPCClientError.from(new TypeError('Failed to fetch')))).toBe(
      LOCAL_SERVICE_UNREACHABLE,
    );
  });

  it('falls back for other values', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('???')).toBe('Something went wrong.');
  });
});

describe('commandLabel', () => {
  it('names known commands and passes unknown ones through', () => {
    expect(commandLabel('createEvent')).toBe('Create event');
    expect(commandLabel('updateEvent')).toBe('Update event');
    expect(commandLabel('refundOrder')).toBe('Refund or void');
    expect(commandLabel('archiveEvent')).toBe('archiveEvent');
  });
});
