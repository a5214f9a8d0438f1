import { codeHasher, signInRequests } from './auth/sign-in-codes.ts';
import type { Pool } from './db/pools.ts';
import { startJobQueue, type JobDefinition, type JobQueue } from './jobs/job-queue.ts';
import {
  offerDueOrderEmails,
  orderEmailJobs,
  startOrderEmailWaker,
  type OrderEmailDeps,
  type OrderEmailWaker,
} from './jobs/order-email.ts';
import { SIGN_IN_CODE, signInCodeJob } from './jobs/sign-in-code.ts';
import { isDevMailbox, type Mailer } from './mail/mailer.ts';
import { expireCardPaymentsJob } from './payments/expire-payments.ts';
import {
  createPaymentServices,
  unavailableReason,
  type StripeSettings,
} from './payments/payment-services.ts';
import { startChangeNotifier } from './sync/change-notifier.ts';
import { recordConsentChoices } from './web-shop/consent-choices.ts';
import { paidCheckoutWebhooks } from './web-shop/paid-checkouts.ts';
import { createTicketKeyStore } from './tickets/signing-keys.ts';
import type { ServerDeps } from './trpc/context.ts';

export interface ServicesOptions {
  /** The application pool (role janix_app). */
  pool: Pool;
  /** Connection string of the application role, for the change notifier's LISTEN connection. */
  appUrl: string;
  /** Resend, or the dev mailbox (which the dev-mailbox routes then read). */
  mailer: Mailer;
  /** Key of the HMAC over sign-in codes and addresses (auth/sign-in-codes.ts resolvePepper). */
  pepper: Buffer;
  now: () => Date;
  log: (line: string) => void;
  /** Recurring jobs this process works besides the sign-in job (the purges; tests run those directly). */
  scheduled?: JobDefinition[];
  pollingIntervalSeconds?: number;
  /** Card payments through Stripe (env STRIPE_*); absent: card payments are unavailable, with the reason. */
  stripe?: StripeSettings;
  /**
   * Send order emails (main.ts always does). Off, their rows are still written with each order and wait,
   * queued, for a server that sends: suites that do not look at email see no background writes.
   */
  orderEmails?: boolean | Pick<OrderEmailDeps, 'backoffMs' | 'maxAttempts'>;
}

export interface Services {
  deps: ServerDeps;
  jobs: JobQueue;
  /** Stops the job workers and the change notifier; the pool stays open (its owner closes it). */
  close(): Promise<void>;
}

/** What `buildApp` runs on, started the same way by the server, the test support and the torture harness. */
export async function startServices(options: ServicesOptions): Promise<Services> {
  const { pool, now, log } = options;
  const hasher = codeHasher(options.pepper);
  const changes = await startChangeNotifier(options.appUrl, log);
  let waker: OrderEmailWaker | null = null;
  // The order-email jobs offer later tries on the queue they run on, which exists once it has started.
  let queueStarted: (queue: JobQueue) => void = () => {};
  const queue = new Promise<JobQueue>((resolve) => (queueStarted = resolve));
  const emails: OrderEmailDeps | null = options.orderEmails
    ? {
        pool,
        mailer: options.mailer,
        now,
        log,
        ...(typeof options.orderEmails === 'object' ? options.orderEmails : {}),
      }
    : null;
  // Ticket signing keys are sealed under a key derived from the same server secret (key-sealing.ts).
  const tickets = createTicketKeyStore({ pool, serverSecret: options.pepper, now });
  const stripe = options.stripe ?? { publicUrl: 'http://127.0.0.1' };
  // The web shop (server/src/web-shop) completes its paid Checkout Sessions in batches, and a web order's
  // buyer gets their consent choices in the order's own transaction.
  const cardDeps = { pool, now, tickets, changes, log };
  const payments = createPaymentServices(cardDeps, stripe, {
    completion: recordConsentChoices,
    webhooks: ({ handlers }) => paidCheckoutWebhooks(cardDeps, handlers),
  });
  let jobs: JobQueue;
  try {
    jobs = await startJobQueue(
      pool,
      [
        signInCodeJob({ pool, mailer: options.mailer, now, hasher }),
        ...(emails ? orderEmailJobs(emails, () => queue) : []),
        ...(options.scheduled ?? []),
        ...(unavailableReason(stripe) ? [] : [expireCardPaymentsJob(payments.cards)]),
      ],
      { log, pollingIntervalSeconds: options.pollingIntervalSeconds },
    );
  } catch (error) {
    await changes.close();
    throw error;
  }
  queueStarted(jobs);
  if (emails) {
    try {
      waker = await startOrderEmailWaker(options.appUrl, () => offerDueOrderEmails(emails, jobs), log);
    } catch (error) {
      await changes.close();
      await jobs.stop().catch(() => {});
      throw error;
    }
  }
  const requests = signInRequests({
    pool,
    now,
    enqueue: async (requestId) => {
      await jobs.send(SIGN_IN_CODE, { requestId });
    },
  });
  return {
    deps: {
      pool,
      now,
      changes,
      devMailbox: isDevMailbox(options.mailer) ? options.mailer : null,
      signIn: { ...hasher, ...requests },
      tickets,
      payments,
    },
    jobs,
    async close() {
      await waker?.close();
      await changes.close();
      await jobs.stop().catch(() => {});
    },
  };
}
