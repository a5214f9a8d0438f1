/**
 * One-time sign-in codes: short-lived, few attempts per code, and at most one new code per address per
 * interval, so a six-digit code cannot be guessed (5 tries out of 10^6 per code, one code a minute).
 * Nobody is ever locked out: a request never fails, it at worst waits out the interval, and the code it
 * then gets is fresh whatever a stranger did to the previous one.
 */
export const LOGIN_CODE_TTL_MS = 10 * 60 * 1000;
export const LOGIN_CODE_MAX_ATTEMPTS = 5;
/** A request within this time of the address's last code is absorbed: the code already mailed stands. */
export const LOGIN_CODE_MIN_INTERVAL_MS = 60 * 1000;
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * How long spent sign-in rows are kept before the purge job deletes them. Codes: an hour past expiry, so a
 * late attempt still reads "expired" rather than "no code was requested". Sessions: a week past their end,
 * for support questions ("why was I signed out?"). Revoked devices (and their command results): 180 days, so
 * a console that comes back within half a year is still told it was revoked (and wipes); after that it is an
 * unknown device. The dev mailbox keeps mail exactly as long as the code it carries.
 */
export const LOGIN_CODE_RETENTION_AFTER_EXPIRY_MS = 60 * 60 * 1000;
export const SESSION_RETENTION_AFTER_END_MS = 7 * 24 * 60 * 60 * 1000;
export const REVOKED_DEVICE_RETENTION_MS = 180 * 24 * 60 * 60 * 1000;

/** The newest code of an address, as far as issuing the next one is concerned. */
export interface LatestLoginCode {
  createdAt: Date;
  consumedAt: Date | null;
}

/**
 * Whether a request makes a new code (replacing every older one) or is absorbed. A used code never delays
 * the next: only its recipient could have used it. A locked one does, for at most the interval, or a stranger
 * could burn code after code at five guesses each.
 */
export function mayIssueLoginCode(latest: LatestLoginCode | null, now: Date): boolean {
  if (!latest || latest.consumedAt) return true;
  return now.getTime() - latest.createdAt.getTime() >= LOGIN_CODE_MIN_INTERVAL_MS;
}

export interface LoginCodeState {
  expiresAt: Date;
  attempts: number;
  consumedAt: Date | null;
}

export type LoginCodeVerdict =
  { ok: true } | { ok: false; reason: 'expired' | 'used' | 'locked' | 'wrong'; attemptsLeft: number };

/** Decides a code attempt. `matches` is the constant-time comparison result computed by the caller. */
export function judgeLoginCode(state: LoginCodeState, matches: boolean, now: Date): LoginCodeVerdict {
  const attemptsLeft = Math.max(0, LOGIN_CODE_MAX_ATTEMPTS - state.attempts - 1);
  if (state.consumedAt) return { ok: false, reason: 'used', attemptsLeft: 0 };
  if (state.attempts >= LOGIN_CODE_MAX_ATTEMPTS) return { ok: false, reason: 'locked', attemptsLeft: 0 };
  if (now.getTime() >= state.expiresAt.getTime()) return { ok: false, reason: 'expired', attemptsLeft: 0 };
  if (!matches) return { ok: false, reason: 'wrong', attemptsLeft };
  return { ok: true };
}

export function loginCodeMessage(verdict: Exclude<LoginCodeVerdict, { ok: true }>): string {
  switch (verdict.reason) {
    case 'expired':
      return 'This code has expired. Ask for a new one.';
    case 'used':
      return 'This code was already used. Ask for a new one.';
    case 'locked':
      return 'Too many wrong attempts. Ask for a new code.';
    case 'wrong':
      return verdict.attemptsLeft > 0
        ? `Wrong code. ${verdict.attemptsLeft} attempt${verdict.attemptsLeft === 1 ? '' : 's'} left.`
        : 'Wrong code. Too many wrong attempts; ask for a new code.';
  }
}

/** A six-digit code from a uniform random source (injected, so tests are deterministic). */
export function formatLoginCode(randomInt: (maxExclusive: number) => number): string {
  return String(randomInt(1_000_000)).padStart(6, '0');
}
