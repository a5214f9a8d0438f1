import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import {
  assignableDevices,
  assignNote,
  checkRegisterReader,
  EMPTY_REGISTER_READER_FORM,
  needsLocation,
  readerRows,
  READERS_NEED_SERVER,
  removeReaderConfirmText,
  type CardReader,
  type ReaderDevice,
  type ReaderRow,
  type RegisterReaderErrors,
  type RegisterReaderForm,
} from '../card-readers-model.ts';
import { reads } from '../replica-tables.ts';
import { useTRPC } from '../trpc.ts';
import { ConfirmBox } from './confirm-box.tsx';
import { ErrorAlert } from './error-alert.tsx';
import { FormField } from './form-field.tsx';

/**
 * Settings → Card readers, for owners and admins: the organization's Stripe Terminal readers and the till
 * each charges for, registering one with the code it shows, assigning it to a till and removing it. The list
 * is the replica's (it follows the feed); every change goes through the server to Stripe, so needs the network.
 */
export function CardReadersSection({ online }: { online: boolean }) {
  const trpc = useTRPC();
  const readers = useQuery({ ...trpc.payments.readers.list.queryOptions(), ...reads('card_readers') });
  const devices = useQuery({ ...trpc.orgDevices.list.queryOptions(), enabled: online });
  const [removing, setRemoving] = useState<ReaderRow | null>(null);
  const list: CardReader[] = readers.data ?? [];
  const rows = readerRows(list, devices.data);
  const tills = assignableDevices(devices.data);
  return (
    <section className="card form" aria-labelledby="card-readers-heading" data-testid="card-readers">
      <h2 id="card-readers-heading">Card readers</h2>
      <p className="muted">
        Stripe Terminal readers take cards at the door. A till charges on the reader assigned to it; a till
        without one shows the buyer a QR code to pay on their phone.
      </p>
      {!online && (
        <p role="status" className="alert alert-warning" data-testid="card-readers-offline">
          {READERS_NEED_SERVER}
        </p>
      )}
      <ErrorAlert error={readers.error ?? devices.error} />
      {readers.isSuccess && rows.length === 0 && <p className="muted">No card reader is registered yet.</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact">
            <thead>
              <tr>
                <th scope="col">Reader</th>
                <th scope="col">Till</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <ReaderTableRow
                  key={`${row.id}:${row.deviceId ?? ''}`}
                  row={row}
                  readers={list}
                  tills={tills}
                  online={online}
                  onRemove={() => setRemoving(row)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {removing && (
        <ConfirmRemove key={removing.id} row={removing} online={online} onDone={() => setRemoving(null)} />
      )}
      {readers.isSuccess && <RegisterReader readers={list} tills={tills} online={online} />}
    </section>
  );
}

function ReaderTableRow({
  row,
  readers,
  tills,
  online,
  onRemove,
}: {
  row: ReaderRow;
  readers: readonly CardReader[];
  tills: readonly ReaderDevice[];
  online: boolean;
  onRemove: () => void;
}) {
  const trpc = useTRPC();
  const [deviceId, setDeviceId] = useState(row.deviceId ?? '');
  const assign = useMutation(trpc.payments.readers.assign.mutationOptions());
  const chosen = deviceId === '' ? null : deviceId;
  const note = chosen === row.deviceId ? null : assignNote(row.id, chosen, readers);
  return (
    <tr data-testid={`card-reader-${row.id}`}>
      <th scope="row" className="cell-name">
        {row.label}
        {row.model && <div className="muted reader-model">{row.model}</div>}
      </th>
      <td>
        <div className="form-actions">
          <select
            aria-label={`Till of ${row.label}`}
            value={deviceId}
            disabled={!online || tills.length === 0}
            onChange={(event) => {
              assign.reset();
              setDeviceId(event.target.value);
            }}
          >
            <option value="">Not assigned</option>
            {row.deviceId && !tills.some((till) => till.id === row.deviceId) && (
              <option value={row.deviceId}>{row.deviceName}</option>
            )}
            {tills.map((till) => (
              <option key={till.id} value={till.id}>
                {till.thisConsole ? `${till.name} (this console)` : till.name}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="button button-secondary button-small"
            aria-label={`Assign ${row.label}`}
            disabled={!online || assign.isPending || chosen === row.deviceId}
            onClick={() => assign.mutate({ readerId: row.id, deviceId: chosen })}
          >
            Assign
          </button>
        </div>
        {note && <p className="field-hint">{note}</p>}
        {assign.isSuccess && (
          <p role="status" className="print-ok">
            Assigned.
          </p>
        )}
        <ErrorAlert error={assign.error} />
      </td>
      <td>
        <button
          type="button"
          className="button button-secondary button-small"
          aria-label={`Remove ${row.label}`}
          disabled={!online}
          onClick={onRemove}
        >
          Remove…
        </button>
      </td>
    </tr>
  );
}

function ConfirmRemove({ row, online, onDone }: { row: ReaderRow; online: boolean; onDone: () => void }) {
  const trpc = useTRPC();
  const remove = useMutation(trpc.payments.readers.remove.mutationOptions({ onSuccess: onDone }));
  return (
    <ConfirmBox
      id={`remove-reader-${row.id}`}
      text={removeReaderConfirmText(row.label)}
      confirmLabel="Remove the reader"
      onConfirm={() => remove.mutate({ readerId: row.id })}
      onCancel={onDone}
      pending={remove.isPending}
      error={remove.error}
      disabled={!online}
      testId="card-reader-remove-confirm"
    />
  );
}

const LOCATION_FIELDS: Array<{ field: keyof RegisterReaderForm; label: string; hint?: string }> = [
  { field: 'displayName', label: 'Place name', hint: 'The venue, e.g. Harbour Hall' },
  { field: 'line1', label: 'Street address' },
  { field: 'city', label: 'City' },
  { field: 'postalCode', label: 'Postal code' },
  { field: 'country', label: 'Country code', hint: 'Two letters, e.g. DE' },
];

/** Registering a reader with the code it shows; the organization's first one also says where it is used. */
function RegisterReader({
  readers,
  tills,
  online,
}: {
  readers: readonly CardReader[];
  tills: readonly ReaderDevice[];
  online: boolean;
}) {
  const trpc = useTRPC();
  const [form, setForm] = useState<RegisterReaderForm>(EMPTY_REGISTER_READER_FORM);
  const [errors, setErrors] = useState<RegisterReaderErrors>({});
  // Made once per registration: registering twice (a double click, a lost answer) is one reader.
  const [readerId, setReaderId] = useState(() => crypto.randomUUID());
  const [registered, setRegistered] = useState<string | null>(null);
  const register = useMutation(trpc.payments.readers.register.mutationOptions());
  const withLocation = needsLocation(readers);
  const set = (field: keyof RegisterReaderForm) => (event: { target: { value: string } }) => {
    register.reset();
    setRegistered(null);
    setForm((current) => ({ ...current, [field]: event.target.value }));
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    if (register.isPending) return;
    const check = checkRegisterReader(form, readerId, withLocation);
    setErrors(check.ok ? {} : check.errors);
    if (!check.ok) return;
    register.mutate(check.input, {
      onSuccess: () => {
        setRegistered(check.input.label);
        setForm(EMPTY_REGISTER_READER_FORM);
        setReaderId(crypto.randomUUID());
      },
    });
  }

  const text = (field: keyof RegisterReaderForm, label: string, hint?: string, testId?: string) => (
    <FormField key={field} label={label} hint={hint} error={errors[field]}>
      {(props) => (
        <input {...props} autoComplete="off" value={form[field]} onChange={set(field)} data-testid={testId} />
      )}
    </FormField>
  );

  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby="register-reader-heading">
      <h3 id="register-reader-heading">Register a reader</h3>
      <p className="muted">
        On the reader, open its settings and generate a pairing code; type it here. (A Stripe test account
        takes <code>simulated-wpe</code> for a simulated reader.)
      </p>
      <div className="form-grid">
        {text('registrationCode', 'Registration code', undefined, 'reader-registration-code')}
        {text('label', 'Reader name', 'e.g. Front desk', 'reader-label')}
        <FormField label="Till" hint="The device that charges on it; assign it later if you like">
          {(props) => (
            <select {...props} value={form.deviceId} onChange={set('deviceId')} data-testid="reader-device">
              <option value="">Not assigned yet</option>
              {tills.map((till) => (
                <option key={till.id} value={till.id}>
                  {till.thisConsole ? `${till.name} (this console)` : till.name}
                </option>
              ))}
            </select>
          )}
        </FormField>
      </div>
      {withLocation && (
        <fieldset className="buyer-fields">
          <legend>Where the readers are used</legend>
          <p className="muted">
            Stripe files readers by address. The organization’s later readers are filed here too.
          </p>
          <div className="form-grid">
            {LOCATION_FIELDS.map(({ field, label, hint }) => text(field, label, hint, `reader-${field}`))}
          </div>
        </fieldset>
      )}
      <ErrorAlert error={register.error} />
      {registered && (
        <p role="status" className="print-ok" data-testid="reader-registered">
          “{registered}” is registered.
        </p>
      )}
      <div className="form-actions">
        <button
          type="submit"
          className="button button-primary"
          disabled={!online || register.isPending}
          aria-busy={register.isPending}
          data-testid="register-reader"
        >
          {register.isPending ? 'Registering…' : 'Register the reader'}
        </button>
      </div>
    </form>
  );
}
