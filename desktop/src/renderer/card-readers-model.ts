// Settings → Card readers, as data: the organization's Stripe Terminal readers with the till each one is
// assigned to, and the registration form checked with the schema the server uses. Registering, assigning and
// removing go through the server (Stripe must hear of them), so they need the network; the list is the replica's.
import { registerReaderInputSchema, type RegisterReaderInput } from '@janix/schemas';

export const READERS_NEED_SERVER =
  'Registering, assigning and removing card readers needs the server. It cannot be reached now.';

/** An active reader as the replicated `card_readers` table holds it (removed ones are not listed). */
export interface CardReader {
  id: string;
  label: string;
  deviceId: string | null;
  deviceType: string | null;
  serialNumber: string | null;
}

/** A device of the organization, as Settings → Devices lists it. */
export interface ReaderDevice {
  id: string;
  name: string;
  revokedAt: string | null;
  thisConsole: boolean;
}

export interface ReaderRow {
  id: string;
  label: string;
  /** "Stripe S700 · WSC51…", what Stripe says the reader is. */
  model: string | null;
  deviceId: string | null;
  deviceName: string;
}

const DEVICE_TYPES: Readonly<Record<string, string>> = {
  simulated_wisepos_e: 'Simulated WisePOS E',
  bbpos_wisepos_e: 'BBPOS WisePOS E',
  stripe_s700: 'Stripe Reader S700',
  stripe_m2: 'Stripe Reader M2',
  verifone_P400: 'Verifone P400',
};

function deviceNameOf(deviceId: string | null, devices: readonly ReaderDevice[] | undefined): string {
  if (!deviceId) return 'Not assigned';
  const device = devices?.find((candidate) => candidate.id === deviceId);
  if (!device) return `Device ${deviceId.slice(0, 8)}`;
  return device.thisConsole ? `${device.name} (this console)` : device.name;
}

/** The readers by name, each with what Stripe says it is and the till it charges for. */
export function readerRows(
  readers: readonly CardReader[],
  devices: readonly ReaderDevice[] | undefined,
): ReaderRow[] {
  return [...readers]
    .sort((a, b) => a.label.localeCompare(b.label))
    .map((reader) => {
      const type = reader.deviceType ? (DEVICE_TYPES[reader.deviceType] ?? reader.deviceType) : null;
      return {
        id: reader.id,
        label: reader.label,
        model: [type, reader.serialNumber].filter(Boolean).join(' · ') || null,
        deviceId: reader.deviceId,
        deviceName: deviceNameOf(reader.deviceId, devices),
      };
    });
}

/** The tills a reader may be assigned to: devices that are not revoked. */
export function assignableDevices(devices: readonly ReaderDevice[] | undefined): ReaderDevice[] {
  return (devices ?? []).filter((device) => device.revokedAt === null);
}

/** What assigning does, said before it is saved: a till charges on one reader. */
export function assignNote(
  readerId: string,
  deviceId: string | null,
  readers: readonly CardReader[],
): string | null {
  if (!deviceId) return null;
  const other = readers.find((reader) => reader.id !== readerId && reader.deviceId === deviceId);
  return other ? `“${other.label}” is unassigned from that device: a till charges on one reader.` : null;
}

/**
 * Whether a registration asks for an address: the organization's first reader needs one (Stripe files readers
 * by location; the server files later ones under it). With every reader removed it is asked again, which
 * only files the next one at a new address.
 */
export function needsLocation(readers: readonly CardReader[]): boolean {
  return readers.length === 0;
}

export function removeReaderConfirmText(label: string): string {
  return `Remove “${label}”? Stripe forgets it and no till can charge on it; registering it again needs a new code from the reader.`;
}

export interface RegisterReaderForm {
  registrationCode: string;
  label: string;
  /** '' for no till yet. */
  deviceId: string;
  displayName: string;
  line1: string;
  city: string;
  postalCode: string;
  country: string;
}

export const EMPTY_REGISTER_READER_FORM: RegisterReaderForm = {
  registrationCode: '',
  label: '',
  deviceId: '',
  displayName: '',
  line1: '',
  city: '',
  postalCode: '',
  country: '',
};

export type RegisterReaderField = keyof RegisterReaderForm;
export type RegisterReaderErrors = Partial<Record<RegisterReaderField, string>>;

const LOCATION_FIELDS: Record<string, RegisterReaderField> = {
  displayName: 'displayName',
  line1: 'line1',
  city: 'city',
  postalCode: 'postalCode',
  country: 'country',
};

const FIELD_WORDS: Record<RegisterReaderField, string> = {
  registrationCode: 'The registration code the reader shows is required.',
  label: 'Give the reader a name, e.g. “Front desk”.',
  deviceId: 'Choose a device.',
  displayName: 'Name the place, e.g. the venue.',
  line1: 'The street address is required.',
  city: 'The city is required.',
  postalCode: 'The postal code is required.',
  country: 'A two-letter country code, e.g. DE or GB.',
};

/**
 * The registration the form describes, or what is missing. The organization's first reader needs the address
 * where it is used (Stripe files readers by location); later ones join that location.
 */
export function checkRegisterReader(
  form: RegisterReaderForm,
  readerId: string,
  needsLocation: boolean,
): { ok: true; input: RegisterReaderInput } | { ok: false; errors: RegisterReaderErrors } {
  const candidate = {
    readerId,
    registrationCode: form.registrationCode,
    label: form.label,
    deviceId: form.deviceId === '' ? null : form.deviceId,
    ...(needsLocation
      ? {
          location: {
            displayName: form.displayName,
            line1: form.line1,
            city: form.city,
            postalCode: form.postalCode,
            country: form.country.trim().toUpperCase(),
          },
        }
      : {}),
  };
  const parsed = registerReaderInputSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, input: parsed.data };
  const errors: RegisterReaderErrors = {};
  for (const issue of parsed.error.issues) {
    const [first, second] = issue.path;
    const field =
      first === 'location' ? LOCATION_FIELDS[String(second)] : (String(first) as RegisterReaderField);
    if (field && field in FIELD_WORDS && !errors[field]) errors[field] = FIELD_WORDS[field];
  }
  return { ok: false, errors };
}
