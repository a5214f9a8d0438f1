import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TicketTypeDraft } from '@janix/schemas';
import { useRef, useState } from 'react';
import { ErrorAlert } from '../components/error-alert.tsx';
import { QuotaForm } from '../components/quota-form.tsx';
import { TicketTypeForm } from '../components/ticket-type-form.tsx';
import { formatDateTime } from '../date-time.ts';
import {
  EMPTY_QUOTA_FORM,
  emptyTicketTypeForm,
  quotaFormFrom,
  quotaPatchFrom,
  ticketTypeFormFrom,
  ticketTypePatchFrom,
  type QuotaDraft,
} from '../event-setup-form-model.ts';
import { useFocusOnMount } from '../hooks/use-focus-on-mount.ts';
import { formatMoney } from '../money.ts';
import { reads } from '../replica-tables.ts';
import { routeHref } from '../routes.ts';
import { channelLabel } from '../sales-totals.ts';
import { formatTaxRate } from '../tax-rate.ts';
import { useTRPC, type LocalOutputs } from '../trpc.ts';
import '../event-setup.css';

type Setup = LocalOutputs['setup']['get'];
type SetupQuota = Setup['quotas'][number];
type SetupTicketType = Setup['ticketTypes'][number];

/** Which form is open: none, a new or an existing quota, a new or an existing ticket type. */
type Editing =
  { kind: 'quota'; quota: SetupQuota | null } | { kind: 'ticket-type'; type: SetupTicketType | null };

const numberFormat = new Intl.NumberFormat();

function draftOf(type: SetupTicketType): TicketTypeDraft {
  const { id: _id, pending: _pending, ...draft } = type;
  return draft;
}

function salesWindowText(type: SetupTicketType): string {
  if (type.salesStartAt && type.salesEndAt) {
    return `${formatDateTime(type.salesStartAt)} – ${formatDateTime(type.salesEndAt)}`;
  }
  if (type.salesStartAt) return `From ${formatDateTime(type.salesStartAt)}`;
  if (type.salesEndAt) return `Until ${formatDateTime(type.salesEndAt)}`;
  return 'Any time';
}

function PendingTag() {
  return (
    <span className="tag tag-pending" title="Saved on this console, not yet synced">
      Pending
    </span>
  );
}

function ActionsHeader() {
  return (
    <th scope="col">
      <span className="visually-hidden">Actions</span>
    </th>
  );
}

function EditCell({ label, onClick, disabled }: { label: string; onClick: () => void; disabled: boolean }) {
  return (
    <td className="cell-actions">
      <button
        type="button"
        className="button button-secondary button-small"
        aria-label={label}
        onClick={onClick}
        disabled={disabled}
      >
        Edit
      </button>
    </td>
  );
}

/**
 * An event's quotas (the seats ticket types sell from, with what is sold, held by box offices and free) and
 * its ticket types. Everyone who sees events sees these; only roles that may edit events get the forms.
 */
export function EventSetupScreen({
  eventId,
  canEdit,
  canCheckIn = false,
}: {
  eventId: string;
  canEdit: boolean;
  /** The role checks people in: the event links to its check-in lists. */
  canCheckIn?: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const quotasHeading = useRef<HTMLHeadingElement>(null);
  const typesHeading = useRef<HTMLHeadingElement>(null);
  const event = useQuery({
    ...trpc.events.get.queryOptions({ id: eventId }),
    ...reads('events', 'ticket_types', 'quotas'),
  });
  const setup = useQuery({
    ...trpc.setup.get.queryOptions({ eventId }),
    ...reads('events', 'quotas', 'ticket_types'),
  });
  const [editing, setEditing] = useState<Editing | null>(null);
  // The id of the quota or ticket type a "new" form creates, made once per form: sent twice, it is one row.
  const [newId, setNewId] = useState(() => crypto.randomUUID());

  const close = () => {
    const returnTo = editing?.kind === 'quota' ? quotasHeading : typesHeading;
    setEditing(null);
    queueMicrotask(() => returnTo.current?.focus());
  };
  const saved = {
    onSuccess: async () => {
      close();
      await queryClient.invalidateQueries(trpc.setup.pathFilter());
      await queryClient.invalidateQueries(trpc.events.pathFilter());
      await queryClient.invalidateQueries(trpc.status.queryFilter());
    },
  };
  const createQuota = useMutation(trpc.setup.createQuota.mutationOptions(saved));
  const updateQuota = useMutation(trpc.setup.updateQuota.mutationOptions(saved));
  const createType = useMutation(trpc.setup.createTicketType.mutationOptions(saved));
  const updateType = useMutation(trpc.setup.updateTicketType.mutationOptions(saved));
  const mutations = [createQuota, updateQuota, createType, updateType];

  function open(next: Editing) {
    for (const mutation of mutations) mutation.reset();
    setNewId(crypto.randomUUID());
    setEditing(next);
  }

  function saveQuota(quota: SetupQuota | null, draft: QuotaDraft) {
    if (!quota) return createQuota.mutate({ quotaId: newId, eventId, draft });
    const patch = quotaPatchFrom(quota, draft);
    if (Object.keys(patch).length === 0) return close();
    updateQuota.mutate({ quotaId: quota.id, patch });
  }

  function saveTicketType(type: SetupTicketType | null, draft: TicketTypeDraft) {
    if (!type) return createType.mutate({ ticketTypeId: newId, eventId, draft });
    const patch = ticketTypePatchFrom(draftOf(type), draft);
    if (Object.keys(patch).length === 0) return close();
    updateType.mutate({ ticketTypeId: type.id, patch });
  }

  const quotas = setup.data?.quotas ?? [];
  const ticketTypes = setup.data?.ticketTypes ?? [];
  const quotaNames = new Map(quotas.map((quota) => [quota.id, quota.name]));
  const saving = mutations.some((mutation) => mutation.isPending);

  return (
    <section className="screen" aria-labelledby="event-setup-heading" data-testid="event-setup">
      <div className="screen-header">
        <h1 id="event-setup-heading" ref={heading} tabIndex={-1}>
          Tickets and quotas
          {event.data && <span className="heading-sub"> {event.data.name}</span>}
        </h1>
        <nav aria-label="Event" className="setup-links">
          {canEdit && <a href={routeHref({ screen: 'edit-event', eventId })}>Event details</a>}
          {canCheckIn && <a href={routeHref({ screen: 'check-in', eventId })}>Check-in lists</a>}
          <a href={routeHref({ screen: 'events' })}>All events</a>
        </nav>
      </div>
      <ErrorAlert error={event.error ?? setup.error} />
      {!canEdit && (
        <p className="muted" role="status" data-testid="no-setup-editing">
          Your role can see these, not change them.
        </p>
      )}

      <section className="card setup-card" aria-labelledby="quotas-heading" data-testid="quotas">
        <div className="setup-card-header">
          <div>
            <h2 id="quotas-heading" ref={quotasHeading} tabIndex={-1}>
              Quotas
            </h2>
            <p className="muted">
              The seats ticket types sell from. Several ticket types can share one quota.
            </p>
          </div>
          {canEdit && (
            <button
              type="button"
              className="button button-secondary"
              onClick={() => open({ kind: 'quota', quota: null })}
              disabled={editing !== null}
            >
              Add quota
            </button>
          )}
        </div>
        {editing?.kind === 'quota' && (
          <QuotaForm
            key={editing.quota?.id ?? 'new'}
            title={editing.quota ? `Edit quota ${editing.quota.name}` : 'New quota'}
            initial={editing.quota ? quotaFormFrom(editing.quota) : EMPTY_QUOTA_FORM}
            taken={editing.quota ? editing.quota.sold + editing.quota.allocated : 0}
            saving={saving}
            error={editing.quota ? updateQuota.error : createQuota.error}
            onSave={(draft) => saveQuota(editing.quota, draft)}
            onCancel={close}
          />
        )}
        {setup.isPending ? (
          <p className="muted">Loading quotas…</p>
        ) : quotas.length === 0 ? (
          <p className="empty">
            No quotas yet{canEdit ? ': add one, then the ticket types that sell from it.' : '.'}
          </p>
        ) : (
          <div className="table-wrap">
            <table className="table table-compact">
              <thead>
                <tr>
                  <th scope="col">Quota</th>
                  <th scope="col" className="cell-number">
                    Capacity
                  </th>
                  <th scope="col" className="cell-number">
                    Sold
                  </th>
                  <th scope="col" className="cell-number">
                    Held by box offices
                  </th>
                  <th scope="col" className="cell-number">
                    Free
                  </th>
                  {canEdit && <ActionsHeader />}
                </tr>
              </thead>
              <tbody>
                {quotas.map((quota) => (
                  <tr key={quota.id} data-testid="quota-row">
                    <th scope="row" className="cell-name">
                      {quota.name}
                      {quota.pending && <PendingTag />}
                    </th>
                    <td className="cell-number">{numberFormat.format(quota.capacity)}</td>
                    <td className="cell-number">{numberFormat.format(quota.sold)}</td>
                    <td className="cell-number">{numberFormat.format(quota.allocated)}</td>
                    <td className="cell-number" data-testid="quota-free">
                      {numberFormat.format(quota.free)}
                    </td>
                    {canEdit && (
                      <EditCell
                        label={`Edit quota ${quota.name}`}
                        onClick={() => open({ kind: 'quota', quota })}
                        disabled={editing !== null}
                      />
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card setup-card" aria-labelledby="ticket-types-heading" data-testid="ticket-types">
        <div className="setup-card-header">
          <div>
            <h2 id="ticket-types-heading" ref={typesHeading} tabIndex={-1}>
              Ticket types
            </h2>
            <p className="muted">What buyers choose: prices include tax.</p>
          </div>
          {canEdit && (
            <button
              type="button"
              className="button button-secondary"
              onClick={() => open({ kind: 'ticket-type', type: null })}
              disabled={editing !== null || quotas.length === 0}
              title={quotas.length === 0 ? 'Add a quota first' : undefined}
            >
              Add ticket type
            </button>
          )}
        </div>
        {editing?.kind === 'ticket-type' && (
          <TicketTypeForm
            key={editing.type?.id ?? 'new'}
            title={editing.type ? `Edit ticket type ${editing.type.name}` : 'New ticket type'}
            initial={
              editing.type
                ? ticketTypeFormFrom(draftOf(editing.type))
                : emptyTicketTypeForm(setup.data?.currency ?? 'EUR', quotas.length === 1 ? quotas[0]!.id : '')
            }
            quotas={quotas}
            saving={saving}
            error={editing.type ? updateType.error : createType.error}
            onSave={(draft) => saveTicketType(editing.type, draft)}
            onCancel={close}
          />
        )}
        {setup.isPending ? (
          <p className="muted">Loading ticket types…</p>
        ) : ticketTypes.length === 0 ? (
          <p className="empty">No ticket types yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="table table-compact">
              <thead>
                <tr>
                  <th scope="col">Ticket type</th>
                  <th scope="col" className="cell-number">
                    Price
                  </th>
                  <th scope="col" className="cell-number">
                    Tax
                  </th>
                  <th scope="col">Quota</th>
                  <th scope="col">On sale</th>
                  <th scope="col">Sold at</th>
                  {canEdit && <ActionsHeader />}
                </tr>
              </thead>
              <tbody>
                {ticketTypes.map((type) => (
                  <tr key={type.id} data-testid="ticket-type-row">
                    <th scope="row" className="cell-name">
                      {type.name}
                      {type.pending && <PendingTag />}
                    </th>
                    <td className="cell-number">{formatMoney(type.priceCents, type.currency)}</td>
                    <td className="cell-number">{formatTaxRate(type.taxRateBp)}</td>
                    <td>{quotaNames.get(type.quotaId) ?? <span className="muted">—</span>}</td>
                    <td>{salesWindowText(type)}</td>
                    <td>{type.channels.map(channelLabel).join(', ')}</td>
                    {canEdit && (
                      <EditCell
                        label={`Edit ticket type ${type.name}`}
                        onClick={() => open({ kind: 'ticket-type', type })}
                        disabled={editing !== null}
                      />
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </section>
  );
}
