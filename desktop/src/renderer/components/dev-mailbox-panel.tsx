import { useQuery } from '@tanstack/react-query';
import { formatDateTime, formatRelativeTime } from '../date-time.ts';
import { useNow } from '../hooks/use-now.ts';
import { useTRPC } from '../trpc.ts';

const SHOWN_MESSAGES = 10;

/**
 * Development servers keep their mail (sign-in codes, order emails) instead of sending it; this panel shows it
 * so a developer can read the code or see what a sale sent (attachments by name and size). It renders nothing
 * when the server has no dev mailbox (production) or cannot be reached.
 */
export function DevMailboxPanel() {
  const trpc = useTRPC();
  const now = useNow();
  const mailbox = useQuery(
    trpc.devMailbox.list.queryOptions({}, { retry: false, refetchOnWindowFocus: false }),
  );
  if (!mailbox.isSuccess) return null;
  const messages = mailbox.data.slice(0, SHOWN_MESSAGES);
  return (
    <section className="panel dev-mailbox" aria-labelledby="dev-mailbox-heading">
      <div className="panel-header">
        <h2 id="dev-mailbox-heading">Dev mailbox</h2>
        <button
          type="button"
          className="button button-secondary button-small"
          onClick={() => void mailbox.refetch()}
          disabled={mailbox.isFetching}
        >
          Refresh
        </button>
      </div>
      <p className="panel-note">This development server keeps its mail here instead of sending it.</p>
      {messages.length === 0 ? (
        <p className="empty">No messages yet.</p>
      ) : (
        <ul className="mail-list">
          {messages.map((message) => (
            <li key={message.id} className="mail">
              <div className="mail-head">
                <span className="mail-to">To: {message.to}</span>
                <time dateTime={message.createdAt} title={formatDateTime(message.createdAt)}>
                  {formatRelativeTime(message.createdAt, now)}
                </time>
              </div>
              <p className="mail-subject">{message.subject}</p>
              <p className="mail-text">{message.text}</p>
              {message.attachments.length > 0 && (
                <p className="mail-attachments muted">
                  Attached:{' '}
                  {message.attachments
                    .map(
                      (attachment) =>
                        `${attachment.filename} (${Math.max(1, Math.round(attachment.size / 1024))} KB)`,
                    )
                    .join(', ')}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
