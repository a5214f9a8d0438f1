import { useState } from 'react';
import type { AgeRange, BuyerFields as BuyerValues, SaleFieldErrors } from '../sale-form-model.ts';
import { FormField } from './form-field.tsx';

const AGE_RANGES: Array<{ value: AgeRange; label: string }> = [
  { value: 'under_18', label: 'Under 18' },
  { value: '18_24', label: '18–24' },
  { value: '25_34', label: '25–34' },
  { value: '35_44', label: '35–44' },
  { value: '45_54', label: '45–54' },
  { value: '55_64', label: '55–64' },
  { value: '65_plus', label: '65 or over' },
];

/**
 * Who buys, if they want to say: every field is optional, as the privacy policy promises. Phone and age range
 * stay behind "More" so the cashier does not ask for them by habit.
 */
export function BuyerFields({
  values,
  errors,
  onChange,
}: {
  values: BuyerValues;
  errors: SaleFieldErrors;
  onChange: (values: BuyerValues) => void;
}) {
  const [more, setMore] = useState(values.phone !== '' || values.ageRange !== '');
  const set = (field: keyof BuyerValues) => (event: { target: { value: string } }) =>
    onChange({ ...values, [field]: event.target.value });
  return (
    <fieldset className="buyer-fields">
      <legend>
        Buyer <span className="muted">(optional)</span>
      </legend>
      <div className="form-grid">
        <FormField label="First name" error={errors.firstName}>
          {(props) => (
            <input {...props} autoComplete="off" value={values.firstName} onChange={set('firstName')} />
          )}
        </FormField>
        <FormField label="Last name" error={errors.lastName}>
          {(props) => (
            <input {...props} autoComplete="off" value={values.lastName} onChange={set('lastName')} />
          )}
        </FormField>
        <FormField label="Email" error={errors.email} className="span-2">
          {(props) => (
            <input {...props} type="email" autoComplete="off" value={values.email} onChange={set('email')} />
          )}
        </FormField>
        {more && (
          <>
            <FormField label="Phone" error={errors.phone}>
              {(props) => (
                <input
                  {...props}
                  type="tel"
                  autoComplete="off"
                  value={values.phone}
                  onChange={set('phone')}
                />
              )}
            </FormField>
            <FormField label="Age range">
              {(props) => (
                <select {...props} value={values.ageRange} onChange={set('ageRange')}>
                  <option value="">Not given</option>
                  {AGE_RANGES.map((range) => (
                    <option key={range.value} value={range.value}>
                      {range.label}
                    </option>
                  ))}
                </select>
              )}
            </FormField>
          </>
        )}
      </div>
      {!more && (
        <button type="button" className="link-button" onClick={() => setMore(true)} aria-expanded={false}>
          More (phone, age range)
        </button>
      )}
    </fieldset>
  );
}
