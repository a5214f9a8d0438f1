/**
 * One-time sign-in codes: short-lived, few attempts, and requests per address limited,
 * so a six-digit code cannot be guessed (5 tries out of 10^6 per code, few codes per hour).
 */
export const LOGIN_CODE_TTL_MS = 10 * 60 * 1000;
export const LOGIN_CODE_MAX_ATTEMPTS = 5;
export const LOGIN_CODE_REQUESTS_PER_WINDOW = 5;
export const LOGIN_CODE_REQUEST_WINDOW_MS = 15 * 60 * 1000;
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

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
