/**
 * @module shared/schemas/common
 * Small building blocks reused by every schema in the contract.
 */
import { z } from 'zod';

/** An ISO-8601 timestamp with an explicit offset or `Z`, e.g. `2026-11-22T09:30:00+08:00`. */
export const IsoDateTime = z.iso.datetime({ offset: true });

/** A time a source reports: ISO-8601 with offset, and not before 2000 (a zeroed clock is an error). */
export const ReportedTime = IsoDateTime.refine((t) => Date.parse(t) >= Date.UTC(2000, 0, 1), 'must be an ISO-8601 time after 2000-01-01');

/** Localised text: Chinese is the default language of the wall, English is switchable. */
export const LocalisedText = z.object({ zh: z.string().min(1), en: z.string().min(1) }).meta({ id: 'LocalisedText', description: 'Text in Chinese (the default language of the wall) and English.' });
export type LocalisedText = z.infer<typeof LocalisedText>;

export const Lng = z.number().finite().gte(-180).lte(180);
export const Lat = z.number().finite().gte(-90).lte(90);

/** A short machine code: lower-case letters, digits, `_`, `-`, `.`. */
export const Code = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'must be a lower-case code (a-z, 0-9, _ . -)');

export const Lang = z.enum(['zh', 'en']);
export type Lang = z.infer<typeof Lang>;
