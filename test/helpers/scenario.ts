// Who may do what, as one table shape (like PocketBase's ApiScenario): each row is one request
// by one role on a fresh crew (owner, WRITE, READ, a stranger, signed out), with the status and
// the body fragments the answer must have; a row may check what happened after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiResponse, Client } from './client.ts';
import type { Target, TestUser } from './accounts.ts';
import { crewAboard, type Crew } from './crew.ts';

export type Role = 'owner' | 'write' | 'read' | 'stranger' | 'signedOut';
export const EVERY_ROLE: Role[] = ['owner', 'write', 'read', 'stranger', 'signedOut'];

export interface ApiScenario {
  /** The route as the contract writes it, e.g. `DELETE /api/logbooks/:id`, and what is special. */
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url(crew: Crew): string | Promise<string>;
  body?(crew: Crew): unknown;
  as: Role;
  status: number;
  /** Text the answer's body must hold (its JSON as sent); a 401 or 403 adds its error code. */
  contains?: string[];
  notContains?: string[];
  /** Before the request, e.g. a re-verified session. */
  before?(crew: Crew, user: TestUser | undefined): void | Promise<void>;
  /** After it: what must (not) have happened. */
  after?(crew: Crew, res: ApiResponse, row: ApiScenario): void | Promise<void>;
}

export function person(crew: Crew, role: Role): TestUser | undefined {
  return { owner: crew.skipper, write: crew.mate, read: crew.deckhand, stranger: crew.stranger, signedOut: undefined }[
    role
  ];
}

/** The rows of one route for each role given: its status, and per role the fragments. */
export function byRole(
  route: Omit<ApiScenario, 'as' | 'status'>,
  statuses: Partial<Record<Role, number>>,
  contains: Partial<Record<Role, string[]>> = {},
): ApiScenario[] {
  return EVERY_ROLE.filter((role) => statuses[role] !== undefined).map((role) => ({
    ...route,
    as: role,
    status: statuses[role]!,
    contains: [...(route.contains ?? []), ...(contains[role] ?? [])],
  }));
}

const REFUSAL: Record<number, string> = { 401: '"code":"unauthenticated"', 403: '"code":"forbidden"' };

/** One test per row against the app (in-process or a server), each on a fresh crew. */
export function runScenarios(app: () => Target & { anonymous(): Client }, rows: ApiScenario[]): void {
  for (const row of rows) {
    test(`${row.name} as ${row.as} → ${row.status}`, async () => {
      const crew = await crewAboard(app());
      const user = person(crew, row.as);
      await row.before?.(crew, user);
      const client = user?.client ?? app().anonymous();
      const res = await client.request(row.method, await row.url(crew), row.body?.(crew));
      assert.equal(res.status, row.status, `${row.name} as ${row.as}: ${res.text}`);
      const fragments = [...(row.contains ?? []), ...(REFUSAL[row.status] ? [REFUSAL[row.status]!] : [])];
      for (const fragment of fragments) assert.ok(res.text.includes(fragment), `${fragment} in ${res.text}`);
      for (const fragment of row.notContains ?? []) assert.ok(!res.text.includes(fragment), `no ${fragment}`);
      await row.after?.(crew, res, row);
    });
  }
}
