import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { enrollDeviceInputSchema } from '@janix/schemas';
import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../components/error-alert.tsx';
import { FormField } from '../components/form-field.tsx';
import { ORG_ROLE_LABELS } from '../org-role-labels.ts';
import { useTRPC, type LocalStatus } from '../trpc.ts';
import { SignOutButton } from '../components/sign-out-button.tsx';

export const DEFAULT_DEVICE_NAME = 'Box office 1';

/** Signed in, not enrolled: ties this console to one of the user's organizations. */
export function EnrollScreen({ user }: { user: NonNullable<LocalStatus['user']> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const memberships = useQuery(trpc.auth.memberships.queryOptions());
  const [orgId, setOrgId] = useState('');
  const [name, setName] = useState(DEFAULT_DEVICE_NAME);
  const [noAttendeeData, setNoAttendeeData] = useState(false);
  const [errors, setErrors] = useState<{ orgId?: string; name?: string }>({});
  const enroll = useMutation(
    trpc.device.enroll.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.status.queryFilter()),
    }),
  );

  const options = memberships.data ?? [];
  const selected = orgId || options[0]?.orgId || '';
  const selectedMembership = options.find((membership) => membership.orgId === selected);

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = enrollDeviceInputSchema.safeParse({
      orgId: selected,
      name,
      profile: noAttendeeData ? 'no_attendee_data' : 'attendees',
    });
    if (!parsed.success) {
      const next: { orgId?: string; name?: string } = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0];
        if (field === 'orgId') next.orgId ??= 'Choose an organization';
        if (field === 'name') next.name ??= issue.message.charAt(0).toUpperCase() + issue.message.slice(1);
      }
      setErrors(next);
      return;
    }
    setErrors({});
    enroll.mutate(parsed.data);
  }

  return (
    <div className="auth-layout auth-layout-single">
      <main className="card auth-card">
        <p className="brand brand-on-light">Janix Console</p>
        <h1>Enroll this device</h1>
        <p className="muted">
          Signed in as <strong>{user.displayName || user.email}</strong>. Choose the organization this console
          works for and give it a name staff will recognise.
        </p>
        <form onSubmit={submit} noValidate className="form">
          <FormField
            label="Organization"
            error={errors.orgId}
            hint={selectedMembership ? `Your role: ${ORG_ROLE_LABELS[selectedMembership.role]}` : undefined}
          >
            {(props) => (
              <select
                {...props}
                name="orgId"
                value={selected}
                onChange={(event) => setOrgId(event.target.value)}
                disabled={!memberships.isSuccess || options.length === 0}
              >
                {memberships.isPending && <option value="">Loading organizations…</option>}
                {memberships.isSuccess && options.length === 0 && <option value="">No organizations</option>}
                {options.map((membership) => (
                  <option key={membership.orgId} value={membership.orgId}>
                    {membership.orgName}
                  </option>
                ))}
              </select>
            )}
          </FormField>
          {memberships.isSuccess && options.length === 0 && (
            <p className="alert alert-info">
              Your account is not a member of any organization yet. Ask an organizer to invite you.
            </p>
          )}
          <ErrorAlert error={memberships.error} />
          <FormField
            label="Device name"
            error={errors.name}
            hint="For example the counter or gate it stands at."
          >
            {(props) => (
              <input
                {...props}
                type="text"
                name="deviceName"
                autoComplete="off"
                value={name}
                onChange={(event) => setName(event.target.value)}
              />
            )}
          </FormField>
          <div className="field">
            <label className="checkbox">
              <input
                type="checkbox"
                name="noAttendeeData"
                checked={noAttendeeData}
                onChange={(event) => setNoAttendeeData(event.target.checked)}
                aria-describedby="no-attendee-data-hint"
              />
              Scanner without attendee data
            </label>
            <p id="no-attendee-data-hint" className="field-hint">
              For a door run by someone who should see no names: this device checks signed tickets alone and
              receives no people, orders or tickets.
            </p>
          </div>
          <ErrorAlert error={enroll.error} />
          <div className="form-actions">
            <button
              type="submit"
              className="button button-primary"
              disabled={enroll.isPending || !memberships.isSuccess || options.length === 0}
            >
              Enroll device
            </button>
            <SignOutButton className="button button-secondary" />
          </div>
        </form>
      </main>
    </div>
  );
}
