// Syncing encrypted entries through the real server: versions and conflicts, deletes as
// tombstones, pulling in pages after a cursor, and the hand-off of crew changes to the
// owner's notification state (read straight from the database file).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, type TestServer } from './helpers/server.ts';
import { Client } from './helpers/client.ts';
import { createUserWithSession, type TestUser } from './helpers/accounts.ts';
import { addCrew, ciphertext, createLogbook } from './helpers/crew.ts';

let server: TestServer;
let n = 0;
const user = (name = 'sailor') => createUserWithSession(server, `${name}${++n}`);
const anonymous = () => new Client(server.url, server.origin);

before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
  server.cleanup();
});

function assertError(res: { status: number; body: any; text: string }, status: number, code: string) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body?.error?.code, code, res.text);
}

function query<T>(sql: string, ...params: (string | number | null)[]): T[] {
  const db = server.db();
  try {
    return db.prepare(sql).all(...params).map((row) => ({ ...row })) as T[];
  } finally {
    db.close();
  }
}

function pendingNotifications(ownerId: string, logbookId: string): number | undefined {
  const rows = query<{ pending_count: number }>('SELECT pending_count FROM notify_state WHERE owner_id = ? AND logbook_id = ?', ownerId, logbookId);
  return rows[0]?.pending_count;
}

async function push(who: TestUser, items: object[]) {
  const res = await who.client.post('/api/sync/push', { items });
  assert.equal(res.status, 200, res.text);
  return res.body.results as { entityId: string; status: string; version?: number }[];
}

async function pull(who: TestUser, logbookId: string, since?: string) {
  const qs = new URLSearchParams({ logbookId, ...(since === undefined ? {} : { since }) });
  const res = await who.client.get(`/api/sync/pull?${qs}`);
  assert.equal(res.status, 200, res.text);
  return res.body as { items: any[]; cursor: string; hasMore: boolean };
}

async function aboard() {
  const skipper = user('skipper');
  const mate = user('mate');
  const deckhand = user('deckhand');
  const logbook = await createLogbook(skipper);
  await addCrew(skipper, logbook.id, mate, 'WRITE');
  await addCrew(skipper, logbook.id, deckhand, 'READ');
  return { skipper, mate, deckhand, logbook };
}

describe('push and pull', () => {
  test('create → version 1, update → 2, delete keeps a tombstone → 3; a pull shows the latest state', async () => {
    const { skipper, mate, logbook } = await aboard();
    const first = ciphertext(200);
    const second = ciphertext(300);
    assert.deepEqual(await push(skipper, [{ logbookId: logbook.id, entityId: 'leg-1', action: 'create', payload: first }]), [
      { entityId: 'leg-1', status: 'success', version: 1 },
    ]);
    let page = await pull(mate, logbook.id);
    assert.equal(page.items.length, 1);
    assert.deepEqual(
      { ...page.items[0], updatedAt: undefined },
      { entityId: 'leg-1', version: 1, payload: first, deleted: false, updatedAt: undefined, updatedBy: skipper.id },
    );
    assert.equal(new Date(page.items[0].updatedAt).toISOString(), page.items[0].updatedAt);
    assert.equal(page.hasMore, false);

    assert.deepEqual(await push(mate, [{ logbookId: logbook.id, entityId: 'leg-1', action: 'update', payload: second, baseVersion: 1 }]), [
      { entityId: 'leg-1', status: 'success', version: 2 },
    ]);
    page = await pull(skipper, logbook.id, page.cursor);
    assert.deepEqual(
      page.items.map((i) => [i.entityId, i.version, i.payload, i.deleted, i.updatedBy]),
      [['leg-1', 2, second, false, mate.id]],
    );

    assert.deepEqual(await push(skipper, [{ logbookId: logbook.id, entityId: 'leg-1', action: 'delete', baseVersion: 2 }]), [
      { entityId: 'leg-1', status: 'success', version: 3 },
    ]);
    page = await pull(mate, logbook.id, page.cursor);
    assert.deepEqual(
      page.items.map((i) => [i.entityId, i.version, i.payload, i.deleted]),
      [['leg-1', 3, null, true]],
    );
    const rows = query<any>('SELECT version, payload, deleted FROM entries WHERE logbook_id = ? AND entity_id = ?', logbook.id, 'leg-1');
    assert.deepEqual(rows, [{ version: 3, payload: null, deleted: 1 }]);
    // Nothing new after the last cursor.
    const empty = await pull(mate, logbook.id, page.cursor);
    assert.deepEqual(empty, { items: [], cursor: page.cursor, hasMore: false });
  });

  test('a stale baseVersion is a conflict and changes nothing; a missing entity counts as version 0', async () => {
    const { skipper, mate, logbook } = await aboard();
    const original = ciphertext();
    await push(skipper, [{ logbookId: logbook.id, entityId: 'e', action: 'create', payload: original, baseVersion: 0 }]);
    await push(skipper, [{ logbookId: logbook.id, entityId: 'e', action: 'update', payload: ciphertext(), baseVersion: 1 }]);
    const before = query<any>('SELECT * FROM entries WHERE logbook_id = ?', logbook.id);
    const results = await push(mate, [
      { logbookId: logbook.id, entityId: 'e', action: 'update', payload: ciphertext(), baseVersion: 1 },
      { logbookId: logbook.id, entityId: 'e', action: 'delete', baseVersion: 5 },
      { logbookId: logbook.id, entityId: 'new', action: 'create', payload: ciphertext(), baseVersion: 1 },
    ]);
    assert.deepEqual(results, [
      { entityId: 'e', status: 'conflict' },
      { entityId: 'e', status: 'conflict' },
      { entityId: 'new', status: 'conflict' },
    ]);
    assert.deepEqual(query<any>('SELECT * FROM entries WHERE logbook_id = ?', logbook.id), before);
    assert.equal(pendingNotifications(skipper.id, logbook.id), undefined);
  });

  test('items apply in order: later items in one request see the earlier ones', async () => {
    const { skipper, logbook } = await aboard();
    const last = ciphertext();
    const results = await push(skipper, [
      { logbookId: logbook.id, entityId: 'e', action: 'create', payload: ciphertext() },
      { logbookId: logbook.id, entityId: 'e', action: 'update', payload: last, baseVersion: 1 },
      { logbookId: logbook.id, entityId: 'e', action: 'update', payload: ciphertext(), baseVersion: 1 },
    ]);
    assert.deepEqual(results, [
      { entityId: 'e', status: 'success', version: 1 },
      { entityId: 'e', status: 'success', version: 2 },
      { entityId: 'e', status: 'conflict' },
    ]);
    const page = await pull(skipper, logbook.id);
    assert.deepEqual(page.items.map((i) => [i.version, i.payload]), [[2, last]]);
  });

  test('item-level nonsense is invalid: create or update without payload, delete with payload', async () => {
    const { skipper, logbook } = await aboard();
    const results = await push(skipper, [
      { logbookId: logbook.id, entityId: 'a', action: 'create' },
      { logbookId: logbook.id, entityId: 'b', action: 'update', payload: null },
      { logbookId: logbook.id, entityId: 'c', action: 'create', payload: '' },
      { logbookId: logbook.id, entityId: 'd', action: 'delete', payload: ciphertext() },
      { logbookId: logbook.id, entityId: 'e', action: 'create', payload: ciphertext() },
    ]);
    assert.deepEqual(results.map((r) => r.status), ['invalid', 'invalid', 'invalid', 'invalid', 'success']);
    assert.deepEqual(query<any>('SELECT entity_id FROM entries WHERE logbook_id = ?', logbook.id), [{ entity_id: 'e' }]);
  });

  test('READ crew gets forbidden per item but can pull; strangers and unknown logbooks get forbidden too', async () => {
    const { skipper, deckhand, logbook } = await aboard();
    const stranger = user('stranger');
    const payload = ciphertext();
    await push(skipper, [{ logbookId: logbook.id, entityId: 'log', action: 'create', payload }]);
    const own = await createLogbook(deckhand);
    const results = await push(deckhand, [
      { logbookId: logbook.id, entityId: 'log', action: 'update', payload: ciphertext() },
      { logbookId: randomUUID(), entityId: 'x', action: 'create', payload: ciphertext() },
      { logbookId: own.id, entityId: 'mine', action: 'create', payload: ciphertext() },
    ]);
    assert.deepEqual(results, [
      { entityId: 'log', status: 'forbidden' },
      { entityId: 'x', status: 'forbidden' },
      { entityId: 'mine', status: 'success', version: 1 },
    ]);
    assert.deepEqual((await push(stranger, [{ logbookId: logbook.id, entityId: 'log', action: 'delete' }])).map((r) => r.status), ['forbidden']);
    const page = await pull(deckhand, logbook.id);
    assert.deepEqual(page.items.map((i) => [i.entityId, i.version, i.payload]), [['log', 1, payload]]);
    assertError(await stranger.client.get(`/api/sync/pull?logbookId=${logbook.id}`), 403, 'forbidden');
    assertError(await stranger.client.get(`/api/sync/pull?logbookId=${randomUUID()}`), 404, 'not_found');
    assertError(await anonymous().get(`/api/sync/pull?logbookId=${logbook.id}`), 401, 'unauthenticated');
    assertError(await anonymous().post('/api/sync/push', { items: [] }), 401, 'unauthenticated');
  });

  test('pull pages through 600 changes, 500 at a time, in write order', async () => {
    const { skipper, mate, logbook } = await aboard();
    const sent: string[] = [];
    for (let batch = 0; batch < 2; batch++) {
      const items = Array.from({ length: 300 }, (_, i) => {
        const payload = ciphertext(16);
        sent.push(payload);
        return { logbookId: logbook.id, entityId: `e${batch * 300 + i}`, action: 'create', payload };
      });
      const results = await push(skipper, items);
      assert.ok(results.every((r) => r.status === 'success'));
    }
    const first = await pull(mate, logbook.id);
    assert.equal(first.items.length, 500);
    assert.equal(first.hasMore, true);
    const second = await pull(mate, logbook.id, first.cursor);
    assert.equal(second.items.length, 100);
    assert.equal(second.hasMore, false);
    assert.deepEqual([...first.items, ...second.items].map((i) => i.payload), sent);
    // An entry changed later moves to the end of the change order.
    await push(mate, [{ logbookId: logbook.id, entityId: 'e0', action: 'update', payload: 'AAAA' }]);
    const third = await pull(mate, logbook.id, second.cursor);
    assert.deepEqual(third.items.map((i) => [i.entityId, i.version, i.payload]), [['e0', 2, 'AAAA']]);
  });

  test('the server stores exactly the ciphertext it was sent', async () => {
    const { mate, logbook } = await aboard();
    const payloads = [ciphertext(1), ciphertext(1000), 'A'.repeat(65536), '-_-_', ciphertext(30000)];
    await push(mate, payloads.map((payload, i) => ({ logbookId: logbook.id, entityId: `p${i}`, action: 'create', payload })));
    const rows = query<{ entity_id: string; payload: string }>('SELECT entity_id, payload FROM entries WHERE logbook_id = ? ORDER BY seq', logbook.id);
    assert.deepEqual(rows.map((r) => r.payload), payloads);
    const meta = query<{ meta: string }>('SELECT meta FROM logbooks WHERE id = ?', logbook.id);
    assert.deepEqual(meta, [{ meta: logbook.meta }]);
  });
});

describe('crew changes reach the notification state', () => {
  test('a WRITE crew push of 7 successful items leaves pending_count 7 for (owner, logbook)', async () => {
    const { skipper, mate, logbook } = await aboard();
    const results = await push(
      mate,
      Array.from({ length: 7 }, (_, i) => ({ logbookId: logbook.id, entityId: `n${i}`, action: 'create', payload: ciphertext() })),
    );
    assert.equal(results.filter((r) => r.status === 'success').length, 7);
    assert.equal(pendingNotifications(skipper.id, logbook.id), 7);
    const [state] = query<any>('SELECT due_at FROM notify_state WHERE owner_id = ? AND logbook_id = ?', skipper.id, logbook.id);
    assert.equal(typeof state.due_at, 'number');
  });

  test("the owner's own push and a READ member's refused push leave nothing", async () => {
    const { skipper, deckhand, logbook } = await aboard();
    await push(skipper, [{ logbookId: logbook.id, entityId: 'o', action: 'create', payload: ciphertext() }]);
    const refused = await push(deckhand, [{ logbookId: logbook.id, entityId: 'r', action: 'create', payload: ciphertext() }]);
    assert.deepEqual(refused, [{ entityId: 'r', status: 'forbidden' }]);
    assert.deepEqual(query('SELECT * FROM notify_state WHERE logbook_id = ?', logbook.id), []);
  });

  test('a mixed request counts only the successes', async () => {
    const { skipper, mate, logbook } = await aboard();
    await push(skipper, [{ logbookId: logbook.id, entityId: 'c', action: 'create', payload: ciphertext() }]);
    const results = await push(mate, [
      { logbookId: logbook.id, entityId: 'c', action: 'update', payload: ciphertext(), baseVersion: 0 },
      { logbookId: logbook.id, entityId: 'd', action: 'create', payload: ciphertext() },
      { logbookId: logbook.id, entityId: 'c', action: 'update', payload: ciphertext(), baseVersion: 1 },
      { logbookId: logbook.id, entityId: 'x', action: 'update' },
      { logbookId: randomUUID(), entityId: 'y', action: 'create', payload: ciphertext() },
    ]);
    assert.deepEqual(results.map((r) => r.status), ['conflict', 'success', 'success', 'invalid', 'forbidden']);
    assert.equal(pendingNotifications(skipper.id, logbook.id), 2);
    // A second request adds up while the notification is pending.
    await push(mate, [{ logbookId: logbook.id, entityId: 'd', action: 'delete' }]);
    assert.equal(pendingNotifications(skipper.id, logbook.id), 3);
  });
});
