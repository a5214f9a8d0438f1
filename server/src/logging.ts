import type { LoggerOptions } from 'pino';

const secretKeys = [
  'email',
  'code',
  'token',
  'sessionToken',
  'deviceToken',
  'password',
  'secret',
  'authorization',
  'cookie',
];
const hyphenatedSecretKeys = ['x-janix-device', 'x-janix-dev-mailbox'];

/**
 * Logs never carry personal data or secrets: these keys are censored at the top level and two levels
 * down wherever they appear in a logged object, and request bodies are never logged at all.
 */
export const redactedPaths = [
  ...secretKeys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  ...hyphenatedSecretKeys.flatMap((key) => [`["${key}"]`, `*["${key}"]`, `*.*["${key}"]`]),
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    serializers: {
      // Query strings can carry tRPC inputs; log the route only.
      req: (req: { method?: string; url?: string; id?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url?.split('?')[0],
      }),
    },
  };
}
