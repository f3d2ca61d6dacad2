// The pieces every request schema is built from (ids, base64url text, tokens), as valibot
// schemas. Part of the wire: the server validates with them and imports nothing else here.
import * as v from 'valibot';

export const Uuid = v.pipe(v.string('must be a string'), v.uuid('must be a uuid'));

export const Base64Url = (max: number) =>
  v.pipe(
    v.string('must be a string'),
    v.maxLength(max, `at most ${max} characters`),
    v.regex(/^[A-Za-z0-9_-]*$/, 'must be base64url'),
  );

export const Token = v.pipe(
  v.string('must be a string'),
  v.minLength(16, 'is too short'),
  v.maxLength(128, 'is too long'),
  v.regex(/^[A-Za-z0-9_-]+$/, 'is not a token'),
);

/** Times are ISO 8601 in every answer (milliseconds inside the server). */
export type IsoTime = string;
