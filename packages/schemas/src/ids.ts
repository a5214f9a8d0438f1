import { z } from 'zod';

export const uuidSchema = z.uuid({ message: 'must be a UUID' });
export const isoDateTimeSchema = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' });
