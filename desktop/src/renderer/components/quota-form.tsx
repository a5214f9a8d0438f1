import { parseQuotaForm, type QuotaDraft, type QuotaFormValues } from '../event-setup-form-model.ts';
import { FormField } from './form-field.tsx';
import { SetupForm, useSetupForm } from './setup-form.tsx';

/**
 * A quota's name and seats, checked with quotaDraftSchema before `onSave`. `taken` (sold + held by box
 * offices) is the least the capacity can be; the local rule refuses less, and says so in `error`.
 */
export function QuotaForm({
  title,
  initial,
  taken,
  saving,
  error,
  onSave,
  onCancel,
}: {
  title: string;
  initial: QuotaFormValues;
  taken: number;
  saving: boolean;
  error: unknown;
  onSave: (draft: QuotaDraft) => void;
  onCancel: () => void;
}) {
  const { values, setValues, errors, submit } = useSetupForm({
    initial,
    parse: parseQuotaForm,
    saving,
    onSave,
    onCancel,
  });
  return (
    <SetupForm
      title={title}
      testId="quota-form"
      saveLabel="Save quota"
      saving={saving}
      error={error}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <FormField label="Quota name" error={errors.name}>
        {(props) => (
          <input
            {...props}
            type="text"
            name="name"
            autoFocus
            autoComplete="off"
            value={values.name}
            onChange={(event) => setValues({ ...values, name: event.target.value })}
          />
        )}
      </FormField>
      <FormField
        label="Capacity (seats)"
        hint={taken > 0 ? `At least ${taken}: sold or held by box offices.` : undefined}
        error={errors.capacity}
      >
        {(props) => (
          <input
            {...props}
            type="text"
            inputMode="numeric"
            name="capacity"
            autoComplete="off"
            value={values.capacity}
            onChange={(event) => setValues({ ...values, capacity: event.target.value })}
          />
        )}
      </FormField>
    </SetupForm>
  );
}
