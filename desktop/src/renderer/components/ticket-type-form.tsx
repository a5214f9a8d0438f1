import type { TicketTypeDraft } from '@janix/schemas';
import { useId } from 'react';
import { parseTicketTypeForm, type TicketTypeFormValues } from '../event-setup-form-model.ts';
import { FormField } from './form-field.tsx';
import { SetupForm, useSetupForm } from './setup-form.tsx';

export interface QuotaChoice {
  id: string;
  name: string;
  free: number;
}

/**
 * A ticket type: its name, gross price and tax rate, the quota it sells from (quotas are shared, so several
 * ticket types may name the same one), when and where it sells. Checked with ticketTypeDraftSchema before
 * `onSave`; the local rule's refusal (another currency than the event's, a quota with sales) shows in `error`.
 */
export function TicketTypeForm({
  title,
  initial,
  quotas,
  saving,
  error,
  onSave,
  onCancel,
}: {
  title: string;
  initial: TicketTypeFormValues;
  quotas: readonly QuotaChoice[];
  saving: boolean;
  error: unknown;
  onSave: (draft: TicketTypeDraft) => void;
  onCancel: () => void;
}) {
  const { values, setValues, errors, submit } = useSetupForm({
    initial,
    parse: parseTicketTypeForm,
    saving,
    onSave,
    onCancel,
  });
  const channelsId = useId();

  const set =
    (field: 'name' | 'price' | 'currency' | 'taxPercent' | 'quotaId' | 'salesStartAt' | 'salesEndAt') =>
    (event: { target: { value: string } }) =>
      setValues((current) => ({ ...current, [field]: event.target.value }));

  return (
    <SetupForm
      title={title}
      testId="ticket-type-form"
      saveLabel="Save ticket type"
      saving={saving}
      error={error}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <FormField label="Ticket type name" error={errors.name} className="span-2">
        {(props) => (
          <input
            {...props}
            type="text"
            name="name"
            autoFocus
            autoComplete="off"
            value={values.name}
            onChange={set('name')}
          />
        )}
      </FormField>
      <div className="price-fields">
        <FormField label="Price" hint="Tax included, e.g. 12.50" error={errors.price}>
          {(props) => (
            <input
              {...props}
              type="text"
              inputMode="decimal"
              name="price"
              autoComplete="off"
              value={values.price}
              onChange={set('price')}
            />
          )}
        </FormField>
        <FormField label="Currency" error={errors.currency} className="field-currency">
          {(props) => (
            <input
              {...props}
              type="text"
              name="currency"
              autoComplete="off"
              maxLength={3}
              spellCheck={false}
              value={values.currency}
              onChange={(event) => setValues({ ...values, currency: event.target.value.toUpperCase() })}
            />
          )}
        </FormField>
      </div>
      <FormField label="Tax rate (%)" hint="Included in the price, e.g. 20 or 5.5" error={errors.taxPercent}>
        {(props) => (
          <input
            {...props}
            type="text"
            inputMode="decimal"
            name="taxPercent"
            autoComplete="off"
            value={values.taxPercent}
            onChange={set('taxPercent')}
          />
        )}
      </FormField>
      <FormField
        label="Quota"
        hint="The seats it sells from; ticket types may share a quota."
        error={errors.quotaId}
        className="span-2"
      >
        {(props) => (
          <select {...props} name="quotaId" value={values.quotaId} onChange={set('quotaId')}>
            {values.quotaId === '' && <option value="">Choose a quota…</option>}
            {quotas.map((quota) => (
              <option key={quota.id} value={quota.id}>
                {quota.name} ({quota.free} free)
              </option>
            ))}
          </select>
        )}
      </FormField>
      <FormField label="Sales open" hint="Empty: on sale now." error={errors.salesStartAt}>
        {(props) => (
          <input
            {...props}
            type="datetime-local"
            name="salesStartAt"
            value={values.salesStartAt}
            onChange={set('salesStartAt')}
          />
        )}
      </FormField>
      <FormField label="Sales close" hint="Empty: until the event." error={errors.salesEndAt}>
        {(props) => (
          <input
            {...props}
            type="datetime-local"
            name="salesEndAt"
            value={values.salesEndAt}
            onChange={set('salesEndAt')}
          />
        )}
      </FormField>
      <fieldset
        className={errors.channels ? 'channel-fields channel-fields-invalid span-2' : 'channel-fields span-2'}
        aria-describedby={errors.channels ? `${channelsId}-error` : undefined}
      >
        <legend>Sold at</legend>
        <label className="checkbox">
          <input
            type="checkbox"
            name="boxOffice"
            checked={values.boxOffice}
            onChange={(event) => setValues({ ...values, boxOffice: event.target.checked })}
          />
          Box office
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            name="online"
            checked={values.online}
            onChange={(event) => setValues({ ...values, online: event.target.checked })}
          />
          Online
        </label>
        {errors.channels && (
          <p id={`${channelsId}-error`} className="field-error">
            {errors.channels}
          </p>
        )}
      </fieldset>
    </SetupForm>
  );
}
