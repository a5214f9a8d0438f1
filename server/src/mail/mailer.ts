import { randomUUID } from 'node:crypto';
import type { Pool } from '../db/pools.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

/** The email port. Production sends through Resend (box-office issue); development keeps a local mailbox. */
export interface Mailer {
  readonly kind: 'dev-mailbox' | 'resend';
  send(mail: OutgoingMail): Promise<void>;
}

export interface DevMailboxMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  createdAt: string;
}

/** Stores mail in Postgres so any console of a development server can show it. */
export function createDevMailbox(pool: Pool): Mailer & { list(to?: string): Promise<DevMailboxMessage[]> } {
  return {
    kind: 'dev-mailbox',
    async send(mail) {
      await pool.query(
        'INSERT INTO dev_mailbox (id, to_address, subject, text_body) VALUES ($1, $2, $3, $4)',
        [randomUUID(), mail.to, mail.subject, mail.text],
      );
    },
    async list(to) {
      const result = await pool.query<{
        id: string;
        to_address: string;
        subject: string;
        text_body: string;
        created_at: Date;
      }>(
        `SELECT id, to_address, subject, text_body, created_at FROM dev_mailbox
         WHERE $1::text IS NULL OR to_address = $1 ORDER BY created_at DESC LIMIT 50`,
        [to ?? null],
      );
      return result.rows.map((row) => ({
        id: row.id,
        to: row.to_address,
        subject: row.subject,
        text: row.text_body,
        createdAt: row.created_at.toISOString(),
      }));
    },
  };
}
