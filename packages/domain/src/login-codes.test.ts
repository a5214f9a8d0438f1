import { describe, expect, it } from 'vitest';
import {
  LOGIN_CODE_MAX_ATTEMPTS,
  LOGIN_CODE_MIN_INTERVAL_MS,
  LOGIN_CODE_TTL_MS,
  formatLoginCode,
  mayIssueLoginCode,
  judgeLoginCode,
  loginCodeMessage,
  type LoginCodeState,
} from './login-codes.ts';

const issuedAt = new Date('2026-11-01T10:00:00Z');
const expiresAt = new Date(issuedAt.getTime() + LOGIN_CODE_TTL_MS);
const fresh: LoginCodeState = { expiresAt, attempts: 0, consumedAt: null };
const at = (offsetMs: number) => new Date(issuedAt.getTime() + offsetMs);

describe('judgeLoginCode', () => {
  it('accepts a matching, unexpired, unused code', () => {
    expect(judgeLoginCode(fresh, true, at(0))).toEqual({ ok: true });
  });

  it('expiry: valid one millisecond before, expired at the exact instant and after', () => {
    expect(judgeLoginCode(fresh, true, at(LOGIN_CODE_TTL_MS - 1))).toEqual({ ok: true });
    expect(judgeLoginCode(fresh, true, expiresAt)).toEqual({ ok: false, reason: 'expired', attemptsLeft: 0 });
    expect(judgeLoginCode(fresh, true, at(LOGIN_CODE_TTL_MS + 1))).toMatchObject({ reason: 'expired' });
  });

  it('an expired code is reported as expired even when the guess is wrong', () => {
    expect(judgeLoginCode(fresh, false, expiresAt)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('counts attempts left after this wrong guess, down to zero on the last allowed attempt', () => {
    const left = Array.from({ length: LOGIN_CODE_MAX_ATTEMPTS }, (_, attempts) =>
      judgeLoginCode({ ...fresh, attempts }, false, at(0)),
    );
    expect(left).toEqual(
      Array.from({ length: LOGIN_CODE_MAX_ATTEMPTS }, (_, attempts) => ({
        ok: false,
        reason: 'wrong',
        attemptsLeft: LOGIN_CODE_MAX_ATTEMPTS - attempts - 1,
      })),
    );
    expect(left.at(-1)).toMatchObject({ attemptsLeft: 0 });
  });

  it('attempts boundary: the right code still works on the last allowed attempt, not after it', () => {
    expect(judgeLoginCode({ ...fresh, attempts: LOGIN_CODE_MAX_ATTEMPTS - 1 }, true, at(0))).toEqual({
      ok: true,
    });
    expect(judgeLoginCode({ ...fresh, attempts: LOGIN_CODE_MAX_ATTEMPTS }, true, at(0))).toEqual({
      ok: false,
      reason: 'locked',
      attemptsLeft: 0,
    });
    expect(judgeLoginCode({ ...fresh, attempts: LOGIN_CODE_MAX_ATTEMPTS + 3 }, true, at(0))).toMatchObject({
      reason: 'locked',
    });
  });

  it('a used code stays used, whatever else is true about it', () => {
    const used = { ...fresh, consumedAt: at(1000) };
    expect(judgeLoginCode(used, true, at(2000))).toEqual({ ok: false, reason: 'used', attemptsLeft: 0 });
    expect(judgeLoginCode({ ...used, attempts: LOGIN_CODE_MAX_ATTEMPTS }, true, at(2000))).toMatchObject({
      reason: 'used',
    });
    expect(judgeLoginCode(used, true, at(LOGIN_CODE_TTL_MS * 2))).toMatchObject({ reason: 'used' });
  });

  it('a locked code is locked even once expired', () => {
    expect(
      judgeLoginCode({ ...fresh, attempts: LOGIN_CODE_MAX_ATTEMPTS }, true, at(LOGIN_CODE_TTL_MS * 2)),
    ).toMatchObject({ reason: 'locked' });
  });
});

describe('loginCodeMessage', () => {
  it('says how many attempts are left, in the singular for one', () => {
    expect(loginCodeMessage({ ok: false, reason: 'wrong', attemptsLeft: 4 })).toBe(
      'Wrong code. 4 attempts left.',
    );
    expect(loginCodeMessage({ ok: false, reason: 'wrong', attemptsLeft: 1 })).toBe(
      'Wrong code. 1 attempt left.',
    );
    expect(loginCodeMessage({ ok: false, reason: 'wrong', attemptsLeft: 0 })).toMatch(
      /Too many wrong attempts/,
    );
  });

  it('gives each refusal its own message', () => {
    const messages = (['expired', 'used', 'locked'] as const).map((reason) =>
      loginCodeMessage({ ok: false, reason, attemptsLeft: 0 }),
    );
    expect(new Set(messages).size).toBe(3);
    expect(messages[0]).toMatch(/expired/);
    expect(messages[1]).toMatch(/already used/);
    expect(messages[2]).toMatch(/Too many wrong attempts/);
  });
});

describe('formatLoginCode', () => {
  it('asks for a number below one million and pads it to six digits', () => {
    const asked: number[] = [];
    const code = formatLoginCode((max) => {
      asked.push(max);
      return 42;
    });
    expect(asked).toEqual([1_000_000]);
    expect(code).toBe('000042');
    expect(formatLoginCode(() => 0)).toBe('000000');
    expect(formatLoginCode(() => 999_999)).toBe('999999');
  });
});

describe('mayIssueLoginCode', () => {
  it('issues the first code of an address', () => {
    expect(mayIssueLoginCode(null, at(0))).toBe(true);
  });

  it('absorbs a request within the interval of an unused code, issues one at the boundary', () => {
    const latest = { createdAt: issuedAt, consumedAt: null };
    expect(mayIssueLoginCode(latest, at(LOGIN_CODE_MIN_INTERVAL_MS - 1))).toBe(false);
    expect(mayIssueLoginCode(latest, at(LOGIN_CODE_MIN_INTERVAL_MS))).toBe(true);
  });

  it('never delays the code after a used one: only its recipient could have used it', () => {
    expect(mayIssueLoginCode({ createdAt: issuedAt, consumedAt: at(1000) }, at(2000))).toBe(true);
  });

  it('keeps the interval far below the lifetime, so a waiting user always holds a live code', () => {
    expect(LOGIN_CODE_MIN_INTERVAL_MS * 5).toBeLessThanOrEqual(LOGIN_CODE_TTL_MS);
  });
});
