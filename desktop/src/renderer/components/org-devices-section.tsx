import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  DEVICE_PROFILE_LABELS,
  DEVICES_NEED_SERVER,
  deviceRows,
  profileChangeNote,
  revokeConfirmText,
  type DeviceProfile,
  type DeviceRow,
} from '../org-devices-model.ts';
import { useTRPC } from '../trpc.ts';
import { ConfirmBox } from './confirm-box.tsx';
import { ErrorAlert } from './error-alert.tsx';

/**
 * Settings → Devices, for owners and admins: every device of the organization, its profile (whether it holds
 * attendee data) and its revocation. Online only: the list is the server's, so offline it says so.
 */
export function OrgDevicesSection({ online }: { online: boolean }) {
  const trpc = useTRPC();
  const devices = useQuery({ ...trpc.orgDevices.list.queryOptions(), enabled: online });
  const [confirming, setConfirming] = useState<DeviceRow | null>(null);
  const rows = devices.data ? deviceRows(devices.data, new Date()) : [];
  return (
    <section className="card form" aria-labelledby="org-devices-heading" data-testid="org-devices">
      <h2 id="org-devices-heading">Devices</h2>
      {!online ? (
        <p role="status" className="muted" data-testid="org-devices-offline">
          {DEVICES_NEED_SERVER}
        </p>
      ) : (
        <>
          <p className="muted">
            The consoles enrolled in this organization. Changes apply on their next sync.
          </p>
          <ErrorAlert error={devices.error} />
          {devices.isPending && <p className="muted">Loading…</p>}
          {rows.length > 0 && (
            <div className="table-wrap">
              <table className="table table-compact">
                <thead>
                  <tr>
                    <th scope="col">Device</th>
                    <th scope="col">Profile</th>
                    <th scope="col">Last seen</th>
                    <th scope="col">State</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row) => (
                    <DeviceTableRow key={row.id} row={row} onRevoke={() => setConfirming(row)} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {confirming && (
            <ConfirmRevoke key={confirming.id} row={confirming} onDone={() => setConfirming(null)} />
          )}
        </>
      )}
    </section>
  );
}

function DeviceTableRow({ row, onRevoke }: { row: DeviceRow; onRevoke: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [profile, setProfile] = useState<DeviceProfile>(row.profile);
  const save = useMutation(
    trpc.orgDevices.setProfile.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.orgDevices.list.queryFilter()),
    }),
  );
  const note = profileChangeNote(row.profile, profile);
  return (
    <tr data-testid={`org-device-${row.id}`}>
      <th scope="row" className="cell-name">
        {row.name}
        {row.thisConsole && <span className="tag tag-pending">This console</span>}
      </th>
      <td>
        {row.canChangeProfile ? (
          <div className="form-actions">
            <select
              aria-label={`Profile of ${row.name}`}
              value={profile}
              onChange={(event) => {
                save.reset();
                setProfile(event.target.value as DeviceProfile);
              }}
            >
              {(Object.keys(DEVICE_PROFILE_LABELS) as DeviceProfile[]).map((value) => (
                <option key={value} value={value}>
                  {DEVICE_PROFILE_LABELS[value]}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="button button-secondary button-small"
              aria-label={`Save profile of ${row.name}`}
              disabled={save.isPending || profile === row.profile}
              onClick={() => save.mutate({ deviceId: row.id, profile })}
            >
              Save
            </button>
          </div>
        ) : (
          row.profileLabel
        )}
        {note && !save.isSuccess && <p className="field-hint">{note}</p>}
        {save.isSuccess && (
          <p role="status" className="print-ok">
            Saved.
          </p>
        )}
        <ErrorAlert error={save.error} />
      </td>
      <td>{row.lastSeen}</td>
      <td>{row.state}</td>
      <td>
        {row.canRevoke && (
          <button
            type="button"
            className="button button-secondary button-small"
            aria-label={`Revoke ${row.name}`}
            onClick={onRevoke}
          >
            Revoke…
          </button>
        )}
      </td>
    </tr>
  );
}

/** The revocation, confirmed against a sentence that names the device and what is lost. */
function ConfirmRevoke({ row, onDone }: { row: DeviceRow; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const revoke = useMutation(
    trpc.orgDevices.revoke.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries(trpc.orgDevices.list.queryFilter());
        onDone();
      },
    }),
  );
  return (
    <ConfirmBox
      id={`revoke-confirm-${row.id}`}
      text={revokeConfirmText(row.name)}
      confirmLabel="Revoke and erase its data"
      onConfirm={() => revoke.mutate({ deviceId: row.id })}
      onCancel={onDone}
      pending={revoke.isPending}
      error={revoke.error}
      testId="org-device-revoke-confirm"
    />
  );
}
