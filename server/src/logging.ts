import type { LoggerOptions } from 'pino';

/**
 * Logs never carry personal data or secrets: auth headers, tokens, codes and addresses are censored
 * wherever they appear in a logged object, and request bodies are never logged.
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-janix-device"]',
  'headers.authorization',
  '*.email',
  '*.code',
  '*.token',
  '*.sessionToken',
  '*.deviceToken',
  '*.password',
  '*.secret',
  'email',
  'code',
  'token',
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
