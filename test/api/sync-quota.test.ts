// The entries quota on sync uploads, through the real app in-process: an upload that would grow
// an owner past it is refused whole (403 quota_exceeded, nothing kept), crew writes count for
// the owner, each owner of a request is checked, and shrinking stays allowed at the quota.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appForFile } from '../helpers/app.ts';
import { assertError } from '../helpers/client.ts';
import type { TestUser } from '../helpers/accounts.ts';
import { ciphertext, createLogbook, crewAboard } from '../helpers/crew.ts';

const QUOTA = 5;
const crewbell = appForFile({ flags: ['--quota-entries', String(QUOTA)] });

const entries = (logbookId: string): number =>
  crewbell.server.query<{ n: number }>('SELECT COUNT(*) AS n FROM entries WHERE logbook_id = ?', logbookId)[0]!.n;

const creates = (logbookId: string, n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({
    logbookId,
    entityId: `e${from + i}`,
    action: 'create',
    payload: ciphertext(),
  }));

const upload = (who: TestUser, items: object[]) => who.client.post('/api/sync/push', { items });

test("an upload past the owner's entries quota is refused whole, naming the owner's own account", async () => {
  const skipper = crewbell.user('skipper');
  const logbook = await createLogbook(skipper);
  assert.equal((await upload(skipper, creates(logbook.id, QUOTA - 1))).status, 200);
  assertError(
    await upload(skipper, creates(logbook.id, 2, 10)),
    403,
    'quota_exceeded',
    /entries quota: the logbooks of your account may hold at most 5 entries/,
  );
  assert.equal(entries(logbook.id), QUOTA - 1, 'nothing of the refused upload was kept');
  assert.equal((await upload(skipper, creates(logbook.id, 1, 20))).status, 200, 'up to the quota is fine');
  assert.equal(entries(logbook.id), QUOTA);
});

test("crew writes count for the owner: refused naming this logbook's owner", async () => {
  const { skipper, mate, logbook } = await crewAboard(crewbell.server);
  assert.equal((await upload(skipper, creates(logbook.id, QUOTA))).status, 200);
  assertError(
    await upload(mate, creates(logbook.id, 1, 10)),
    403,
    'quota_exceeded',
    /the logbooks of this logbook's owner may hold at most 5 entries/,
  );
  assert.equal(entries(logbook.id), QUOTA);
});

test("an owner's usage is taken before the request, however many of their logbooks it touches", async () => {
  const skipper = crewbell.user('fleet');
  const first = await createLogbook(skipper);
  const second = await createLogbook(skipper);
  assert.equal((await upload(skipper, creates(first.id, QUOTA))).status, 200);
  // The item for the second logbook changes nothing (invalid), but is read after the first one grew.
  const items = [...creates(first.id, 1, 10), { logbookId: second.id, entityId: 'x', action: 'create' }];
  assertError(await upload(skipper, items), 403, 'quota_exceeded', /entries quota/);
  assert.equal(entries(first.id), QUOTA);
});

test('at the quota a delete still goes through: shrinking is allowed', async () => {
  const skipper = crewbell.user('tidy');
  const logbook = await createLogbook(skipper);
  assert.equal((await upload(skipper, creates(logbook.id, QUOTA))).status, 200);
  const freed = await upload(skipper, [{ logbookId: logbook.id, entityId: 'e0', action: 'delete' }]);
  assert.equal(freed.status, 200, freed.text);
  assert.equal(freed.body.results[0].status, 'success');
});
