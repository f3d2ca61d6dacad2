// valibot at the HTTP boundary: a bad body or parameter is a 400 invalid_request whose
// message names the field, e.g. "items[3].payload: at most 65536 characters"; and times as
// answers show them.
import * as v from 'valibot';
import type { Context } from 'hono';
import { invalidRequest } from './errors.ts';
import { bodyText } from './bodies.ts';

function issuePath(issue: v.BaseIssue<unknown>): string {
  let out = '';
  for (const item of issue.path ?? []) {
    const key = (item as { key: unknown }).key;
    out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  }
  return out;
}

function describeIssues(issues: v.BaseIssue<unknown>[], root = 'body'): string {
  const first = issues[0]!;
  const where = issuePath(first) || root;
  const extra = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `${where}: ${first.message}${extra}`;
}

export function parseWith<S extends v.GenericSchema>(schema: S, input: unknown, root = 'body'): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (!result.success) throw invalidRequest(describeIssues(result.issues, root));
  return result.output;
}

/** The JSON body checked against schema. An empty body counts as {}. */
export async function jsonBody<S extends v.GenericSchema>(c: Context, schema: S): Promise<v.InferOutput<S>> {
  const text = await bodyText(c);
  let input: unknown = {};
  if (text.trim() !== '') {
    try {
      input = JSON.parse(text);
    } catch {
      throw invalidRequest('body: not valid JSON');
    }
  }
  return parseWith(schema, input);
}

/** Common pieces of request schemas: they are part of the wire the PWA shares. */
export { Base64Url, Token, Uuid } from '../wire/fields.ts';

/** Times are milliseconds inside crewbell and ISO 8601 in every answer. */
export function isoTime(ms: number): string;
export function isoTime(ms: number | null): string | null;
export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
