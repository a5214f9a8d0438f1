import { z } from 'zod';
import { startResendCapture } from './resend-capture.ts';

/**
 * The Resend capture server as a process of its own, for end-to-end tests: they start it beside the real
 * server (RESEND_BASE_URL pointing at it) and read what was sent through Resend's own API (GET /emails).
 * Prints `Resend capture: <url> key <api key>` once it listens; stops on SIGTERM or SIGINT.
 *
 *   tsx server/src/testing/resend-capture-main.ts [--refuse address,address]
 */
const argsSchema = z.object({
  refuse: z
    .string()
    .optional()
    .transform((list) => (list ? list.split(',').map((address) => address.trim()) : [])),
});

function parseArgs(argv: string[]) {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]?.replace(/^--/, '');
    if (name && argv[i + 1] !== undefined) raw[name] = argv[i + 1]!;
  }
  return argsSchema.parse(raw);
}

const args = parseArgs(process.argv.slice(2));
const capture = await startResendCapture();
for (const address of args.refuse) capture.refuseAddress(address);
console.log(`Resend capture: ${capture.url} key ${capture.apiKey}`);
const stop = () => void capture.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
