import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { CardReadersSection } from '../components/card-readers-section.tsx';
import { ErrorAlert } from '../components/error-alert.tsx';
import { FormField } from '../components/form-field.tsx';
import { OrgDevicesSection } from '../components/org-devices-section.tsx';
import { PrintStatus } from '../components/print-status.tsx';
import { useFocusOnMount } from '../hooks/use-focus-on-mount.ts';
import {
  printerFormFrom,
  printerSettingsFrom,
  type PrinterFieldErrors,
  type PrinterForm,
  type PrinterSettingsValue,
} from '../printer-settings-model.ts';
import { useTRPC, type LocalOutputs } from '../trpc.ts';
import '../box-office.css';

type SalePreferences = LocalOutputs['boxOffice']['preferences'];

/**
 * This device's printers and box-office preferences (nothing here is synced to other consoles) and, for an
 * owner or admin, the organization's devices and card readers.
 */
export function SettingsScreen({ canManageDevices, online }: { canManageDevices: boolean; online: boolean }) {
  const trpc = useTRPC();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const printers = useQuery(trpc.printing.settings.queryOptions());
  const preferences = useQuery(trpc.boxOffice.preferences.queryOptions());
  return (
    <section className="screen" aria-labelledby="settings-heading">
      <div className="screen-header">
        <h1 id="settings-heading" ref={heading} tabIndex={-1}>
          Settings
          <span className="heading-sub">For this device only</span>
        </h1>
      </div>
      <ErrorAlert error={printers.error ?? preferences.error} />
      <div className="shift-grid">
        {printers.data && <PrinterSettingsForm initial={printers.data.settings ?? printers.data.defaults} />}
        {preferences.data && <SalePreferencesForm initial={preferences.data} />}
      </div>
      {canManageDevices && <OrgDevicesSection online={online} />}
      {canManageDevices && <CardReadersSection online={online} />}
    </section>
  );
}

function PrinterSettingsForm({ initial }: { initial: PrinterSettingsValue }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<PrinterForm>(() => printerFormFrom(initial));
  const [errors, setErrors] = useState<PrinterFieldErrors>({});
  const save = useMutation(
    trpc.printing.saveSettings.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.printing.settings.queryFilter()),
    }),
  );
  const test = useMutation(trpc.printing.testPage.mutationOptions());
  const set =
    <K extends keyof PrinterForm>(field: K) =>
    (event: { target: { value: string } }) => {
      save.reset();
      setForm((current) => ({ ...current, [field]: event.target.value as PrinterForm[K] }));
    };

  const checked = () => {
    const check = printerSettingsFrom(form);
    setErrors(check.ok ? {} : check.errors);
    return check.ok ? check.settings : null;
  };
  function submit(event: FormEvent) {
    event.preventDefault();
    const settings = checked();
    if (settings) save.mutate(settings);
  }
  function testPage() {
    const settings = checked();
    if (settings) test.mutate({ settings });
  }

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="printers-heading">
      <h2 id="printers-heading">Printers</h2>
      <fieldset className="buyer-fields">
        <legend>Receipt printer</legend>
        <FormField label="Connection">
          {(props) => (
            <select
              {...props}
              value={form.receiptKind}
              onChange={set('receiptKind')}
              data-testid="receipt-kind"
            >
              <option value="none">None</option>
              <option value="network">Network (IP address and port)</option>
              <option value="system">System printer queue</option>
            </select>
          )}
        </FormField>
        {form.receiptKind === 'network' && (
          <div className="form-grid">
            <FormField label="Host or IP address" error={errors.host}>
              {(props) => (
                <input {...props} value={form.host} onChange={set('host')} data-testid="receipt-host" />
              )}
            </FormField>
            <FormField label="Port" hint="Usually 9100" error={errors.port}>
              {(props) => (
                <input
                  {...props}
                  inputMode="numeric"
                  value={form.port}
                  onChange={set('port')}
                  data-testid="receipt-port"
                />
              )}
            </FormField>
          </div>
        )}
        {form.receiptKind === 'system' && (
          <FormField label="Queue name" error={errors.receiptQueue}>
            {(props) => <input {...props} value={form.receiptQueue} onChange={set('receiptQueue')} />}
          </FormField>
        )}
        <div className="form-grid">
          <FormField label="Paper width">
            {(props) => (
              <select {...props} value={form.paperWidthChars} onChange={set('paperWidthChars')}>
                <option value="32">32 characters (58 mm)</option>
                <option value="42">42 characters (80 mm)</option>
                <option value="48">48 characters (80 mm)</option>
              </select>
            )}
          </FormField>
          <FormField label="Cash drawer" hint="The pin of the printer's drawer port">
            {(props) => (
              <select {...props} value={form.drawerPin} onChange={set('drawerPin')} data-testid="drawer-pin">
                <option value="none">No drawer</option>
                <option value="2">Pin 2</option>
                <option value="5">Pin 5</option>
              </select>
            )}
          </FormField>
        </div>
      </fieldset>
      <fieldset className="buyer-fields">
        <legend>Tickets</legend>
        <FormField label="Print tickets to">
          {(props) => (
            <select
              {...props}
              value={form.ticketsKind}
              onChange={set('ticketsKind')}
              data-testid="tickets-kind"
            >
              <option value="none">Nowhere</option>
              <option value="system">System printer queue</option>
              <option value="folder">A folder (PDF files)</option>
            </select>
          )}
        </FormField>
        {form.ticketsKind === 'system' && (
          <FormField label="Queue name" error={errors.ticketsQueue}>
            {(props) => <input {...props} value={form.ticketsQueue} onChange={set('ticketsQueue')} />}
          </FormField>
        )}
        {form.ticketsKind === 'folder' && (
          <FormField label="Folder" hint="A full path, e.g. /home/box/tickets" error={errors.folder}>
            {(props) => (
              <input {...props} value={form.folder} onChange={set('folder')} data-testid="tickets-folder" />
            )}
          </FormField>
        )}
        <FormField label="Ticket layout">
          {(props) => (
            <select {...props} value={form.ticketLayout} onChange={set('ticketLayout')}>
              <option value="a4">A4, one ticket per page</option>
              <option value="80mm">80 mm roll</option>
            </select>
          )}
        </FormField>
      </fieldset>
      <ErrorAlert error={save.error} />
      {save.isSuccess && (
        <p role="status" className="print-ok" data-testid="printers-saved">
          Saved.
        </p>
      )}
      <PrintStatus
        what="Test page"
        pending={test.isPending}
        result={test.data}
        error={test.error}
        testId="test-page-status"
      />
      <div className="form-actions">
        <button
          type="submit"
          className="button button-primary"
          disabled={save.isPending}
          data-testid="save-printers"
        >
          Save printers
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={testPage}
          disabled={test.isPending}
        >
          Print test page
        </button>
      </div>
    </form>
  );
}

function SalePreferencesForm({ initial }: { initial: SalePreferences }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [seats, setSeats] = useState(String(initial.defaultAllocationSeats));
  const [autoReceipt, setAutoReceipt] = useState(initial.autoPrintReceipt);
  const [autoTickets, setAutoTickets] = useState(initial.autoPrintTickets);
  const [error, setError] = useState<string | undefined>();
  const save = useMutation(
    trpc.boxOffice.setPreferences.mutationOptions({
      onSuccess: (next) => queryClient.setQueryData(trpc.boxOffice.preferences.queryKey(), next),
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const count = Number(seats);
    if (!Number.isInteger(count) || count < 1 || count > 500) {
      setError('A number of seats from 1 to 500.');
      return;
    }
    setError(undefined);
    save.mutate({
      defaultAllocationSeats: count,
      autoPrintReceipt: autoReceipt,
      autoPrintTickets: autoTickets,
    });
  }

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="sale-preferences-heading">
      <h2 id="sale-preferences-heading">Box office</h2>
      <FormField
        label="Seats per request"
        hint="How many seats “Request seats” asks the server for; this device sells offline only from seats it holds."
        error={error}
      >
        {(props) => (
          <input
            {...props}
            inputMode="numeric"
            value={seats}
            onChange={(event) => setSeats(event.target.value)}
            data-testid="default-allocation-seats"
          />
        )}
      </FormField>
      <label className="method">
        <input
          type="checkbox"
          checked={autoReceipt}
          onChange={(event) => setAutoReceipt(event.target.checked)}
        />
        Print the receipt after each sale (opens the drawer for cash)
      </label>
      <label className="method">
        <input
          type="checkbox"
          checked={autoTickets}
          onChange={(event) => setAutoTickets(event.target.checked)}
        />
        Print the tickets after each sale
      </label>
      <ErrorAlert error={save.error} />
      {save.isSuccess && (
        <p role="status" className="print-ok">
          Saved.
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          Save box office settings
        </button>
      </div>
    </form>
  );
}
