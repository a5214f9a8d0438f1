import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { formatDateTime } from '../date-time.ts';
import { label, ORDER_EMAIL_KIND_LABELS, ORDER_EMAIL_STATUS_LABELS } from '../order-labels.ts';
import { reads } from '../replica-tables.ts';
import { useTRPC, type LocalOutputs } from '../trpc.ts';
import { ErrorAlert } from './error-alert.tsx';

type EmailList = LocalOutputs['orderEmails']['list'];
type EmailKind = EmailList['resend'][number]['kind'];

/**
 * The order's emails (its tickets, its receipt, a refund notice): whether each went out, and if not, why, in
 * the server's plain words. A resend button per kind, where one may be asked for; offline the resend waits in
 * the outbox and shows as waiting at once.
 */
export function OrderEmails({ orderId }: { orderId: string }) {
  const trpc = useTRPC();
  const list = useQuery({
    ...trpc.orderEmails.list.queryOptions({ orderId }),
    ...reads('order_emails', 'orders', 'people'),
  });
  // Made once per click target: the same resend sent twice (a double click) asks once.
  const [emailIds, setEmailIds] = useState<Record<EmailKind, string>>(() => ({
    confirmation: crypto.randomUUID(),
    receipt: crypto.randomUUID(),
    refund: crypto.randomUUID(),
  }));
  const resend = useMutation(
    trpc.orderEmails.resend.mutationOptions({
      onSuccess: (_result, input) => setEmailIds((ids) => ({ ...ids, [input.kind]: crypto.randomUUID() })),
    }),
  );
  const data = list.data;

  return (
    <div className="order-emails" data-testid="order-emails">
      <h2>Emails</h2>
      <ErrorAlert error={list.error ?? resend.error} />
      {data && data.emails.length === 0 && <p className="muted">No email was sent for this order.</p>}
      {data && data.emails.length > 0 && (
        <ul className="audit-list">
          {data.emails.map((email) => (
            <li
              key={email.id}
              className={`audit-entry order-email-${email.status}`}
              data-testid="order-email"
            >
              <strong>{label(ORDER_EMAIL_KIND_LABELS, email.kind)}</strong>{' '}
              <span className={`status status-email-${email.status}`} data-testid="order-email-status">
                {label(ORDER_EMAIL_STATUS_LABELS, email.status)}
              </span>
              {email.pending && (
                <span className="tag tag-pending" title="Saved on this console, not yet synced">
                  Pending
                </span>
              )}
              <br />
              <span className="muted">
                {email.sentAt
                  ? `Sent ${formatDateTime(email.sentAt)}`
                  : `Asked ${formatDateTime(email.createdAt)}`}
                {email.attempts > 1 && ` · ${email.attempts} tries`}
              </span>
              {email.failureReason && (
                <>
                  <br />
                  <span data-testid="order-email-reason">{email.failureReason}</span>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {data && (
        <div className="form-actions">
          {data.resend
            .filter((option) => option.allowed || option.kind !== 'refund')
            .map((option) => (
              <button
                key={option.kind}
                type="button"
                className="button button-secondary"
                disabled={!option.allowed || resend.isPending}
                title={option.reason ?? undefined}
                onClick={() => resend.mutate({ orderId, kind: option.kind, emailId: emailIds[option.kind] })}
                data-testid={`resend-${option.kind}`}
              >
                Resend {label(ORDER_EMAIL_KIND_LABELS, option.kind).toLowerCase()}
              </button>
            ))}
        </div>
      )}
      {data && data.resend.every((option) => !option.allowed) && data.resend[0]?.reason && (
        <p className="muted" data-testid="resend-unavailable">
          {data.resend[0].reason}
        </p>
      )}
    </div>
  );
}
