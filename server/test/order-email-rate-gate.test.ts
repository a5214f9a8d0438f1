import { describe, expect, it } from 'vitest';
import { classifyResendError } from '../src/mail/mailer.ts';
import { createRateGate } from '../src/mail/rate-gate.ts';

/** The rate gate and the reading of Resend's errors, on a fake clock (no server). */

function fakeClock() {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    advance: (ms: number) => (now += ms),
    slept,
  };
}

describe('rate gate', () => {
  it('spaces requests to the rate it is given', async () => {
    const clock = fakeClock();
    const gate = createRateGate({ minIntervalMs: 500, ...clock });
    expect(await gate.take(10_000)).toBeNull();
    expect(await gate.take(10_000)).toBeNull();
    expect(await gate.take(10_000)).toBeNull();
    expect(clock.slept).toEqual([500, 500]);
  });

  it('after a 429, every request waits for retry-after; one that would wait too long is told how long', async () => {
    const clock = fakeClock();
    const gate = createRateGate({ minIntervalMs: 0, ...clock });
    gate.observe({ 'retry-after': '3' }, true);
    expect(await gate.take(1000)).toBe(3000);
    expect(clock.slept).toEqual([]);
    expect(await gate.take(5000)).toBeNull();
    expect(clock.slept).toEqual([3000]);
  });

  it('a spent window (ratelimit-remaining 0) waits for its reset; a 429 without times waits a second', async () => {
    const clock = fakeClock();
    const gate = createRateGate({ minIntervalMs: 0, ...clock });
    gate.observe({ 'ratelimit-remaining': '1', 'ratelimit-reset': '1' }, false);
    expect(await gate.take(0)).toBeNull();
    gate.observe({ 'ratelimit-remaining': '0', 'ratelimit-reset': '2' }, false);
    expect(await gate.take(0)).toBe(2000);
    clock.advance(2000);
    gate.observe(null, true);
    expect(await gate.take(0)).toBe(1000);
  });
});

describe('Resend errors', () => {
  it('tells what may pass later from what never will, and a refused address from other refusals', () => {
    expect(classifyResendError({ name: 'application_error', statusCode: null }, null)).toMatchObject({
      permanent: false,
      statusCode: null,
    });
    expect(classifyResendError({ name: 'internal_server_error', statusCode: 500 }, null).permanent).toBe(
      false,
    );
    expect(
      classifyResendError({ name: 'rate_limit_exceeded', statusCode: 429 }, { 'retry-after': '7' }),
    ).toMatchObject({ permanent: false, retryAfterMs: 7000 });
    expect(
      classifyResendError({ name: 'concurrent_idempotent_requests', statusCode: 409 }, null).permanent,
    ).toBe(false);
    expect(
      classifyResendError(
        {
          name: 'validation_error',
          statusCode: 422,
          message: 'Invalid `to` field. The email address needs…',
        },
        null,
      ),
    ).toMatchObject({ permanent: true, addressRefused: true, errorName: 'validation_error' });
    expect(
      classifyResendError({ name: 'validation_error', statusCode: 422, message: 'Missing `subject`.' }, null),
    ).toMatchObject({ permanent: true, addressRefused: false });
    expect(classifyResendError({ name: 'invalid_api_key', statusCode: 403 }, null).permanent).toBe(true);
    // A name that is not one of Resend's shapes (anything a server answered) is not repeated into logs.
    expect(classifyResendError({ name: 'a@b.c <x>', statusCode: 400 }, null).errorName).toBe('unknown_error');
  });
});
