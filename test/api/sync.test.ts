// Syncing encrypted entries through the real app in-process: versions and conflicts, deletes as
// tombstones, pulling in pages after a cursor, and the hand-off of crew changes to the
// owner's notification state (read straight from the database file).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { appForFile } from '../helpers/app.ts';
import { assertError } from '../helpers/client.ts';
import { markReverified, type TestUser } from '../helpers/accounts.ts';
import { ciphertext, createLogbook, crewAboard } from '../helpers/crew.ts';
import { type ApiScenario, byRole, runScenarios } from '../helpers/scenario.ts';

const crewbell = appForFile();
const { user, anonymous } = crewbell;

const query = <T>(sql: string, ...params: Array<string | number | null>): T[] =>
  crewbell.server.query<T>(sql, ...params);

function pendingNotifications(ownerId: string, logbookId: string): number | undefined {
  const rows = query<{ pending_count: number }>(
    'SELECT pending_count FROM notify_state WHERE user_id = ? AND logbook_id = ?',
    ownerId,
    logbookId,
  );
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

/** A fresh logbook with its owner, WRITE crew (mate) and READ crew (deckhand). */
const aboard = () => crewAboard(crewbell.server);

describe('push and pull', () => {
  test('create → version 1, update → 2, delete keeps a tombstone → 3; a pull shows the latest state', async () => {
    const { skipper, mate, logbook } = await aboard();
    const first = ciphertext(200);
    const second = ciphertext(300);
    assert.deepEqual(
      await push(skipper, [{ logbookId: logbook.id, entityId: 'leg-1', action: 'create', payload: first }]),
      [{ entityId: 'leg-1', status: 'success', version: 1 }],
    );
    let page = await pull(mate, logbook.id);
    assert.equal(page.items.length, 1);
    assert.deepEqual(
      { ...page.items[0], updatedAt: undefined },
      {
        entityId: 'leg-1',
        version: 1,
        payload: first,
        deleted: false,
        createdBy: skipper.id,
        updatedAt: undefined,
        updatedBy: skipper.id,
      },
    );
    assert.equal(new Date(page.items[0].updatedAt).toISOString(), page.items[0].updatedAt);
    assert.equal(page.hasMore, false);

    assert.deepEqual(
      await push(mate, [
        { logbookId: logbook.id, entityId: 'leg-1', action: 'update', payload: second, baseVersion: 1 },
      ]),
      [{ entityId: 'leg-1', status: 'success', version: 2 }],
    );
    page = await pull(skipper, logbook.id, page.cursor);
    assert.deepEqual(
      page.items.map((i) => [i.entityId, i.version, i.payload, i.deleted, i.createdBy, i.updatedBy]),
      [['leg-1', 2, second, false, skipper.id, mate.id]],
    );

    assert.deepEqual(
      await push(skipper, [{ logbookId: logbook.id, entityId: 'leg-1', action: 'delete', baseVersion: 2 }]),
      [{ entityId: 'leg-1', status: 'success', version: 3 }],
    );
    page = await pull(mate, logbook.id, page.cursor);
    assert.deepEqual(
      page.items.map((i) => [i.entityId, i.version, i.payload, i.deleted]),
      [['leg-1', 3, null, true]],
    );
    const rows = query<any>(
      'SELECT version, payload, deleted FROM entries WHERE logbook_id = ? AND entity_id = ?',
      logbook.id,
      'leg-1',
    );
    assert.deepEqual(rows, [{ version: 3, payload: null, deleted: 1 }]);
    // Nothing new after the last cursor.
    const empty = await pull(mate, logbook.id, page.cursor);
    assert.deepEqual(empty, { items: [], cursor: page.cursor, hasMore: false });
  });

  test('a stale baseVersion is a conflict and changes nothing; a missing entity counts as version 0', async () => {
    const { skipper, mate, logbook } = await aboard();
    const original = ciphertext();
    await push(skipper, [
      { logbookId: logbook.id, entityId: 'e', action: 'create', payload: original, baseVersion: 0 },
    ]);
    await push(skipper, [
      { logbookId: logbook.id, entityId: 'e', action: 'update', payload: ciphertext(), baseVersion: 1 },
    ]);
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
    assert.deepEqual(
      page.items.map((i) => [i.version, i.payload]),
      [[2, last]],
    );
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
    assert.deepEqual(
      results.map((r) => r.status),
      ['invalid', 'invalid', 'invalid', 'invalid', 'success'],
    );
    assert.deepEqual(query<any>('SELECT entity_id FROM entries WHERE logbook_id = ?', logbook.id), [
      { entity_id: 'e' },
    ]);
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
    assert.deepEqual(
      (await push(stranger, [{ logbookId: logbook.id, entityId: 'log', action: 'delete' }])).map((r) => r.status),
      ['forbidden'],
    );
    const page = await pull(deckhand, logbook.id);
    assert.deepEqual(
      page.items.map((i) => [i.entityId, i.version, i.payload]),
      [['log', 1, payload]],
    );
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
    assert.deepEqual(
      [...first.items, ...second.items].map((i) => i.payload),
      sent,
    );
    // An entry changed later moves to the end of the change order.
    await push(mate, [{ logbookId: logbook.id, entityId: 'e0', action: 'update', payload: 'AAAA' }]);
    const third = await pull(mate, logbook.id, second.cursor);
    assert.deepEqual(
      third.items.map((i) => [i.entityId, i.version, i.payload]),
      [['e0', 2, 'AAAA']],
    );
  });

  test('a page also stops at about 4 MiB of ciphertext, so big entries come in several pages', async () => {
    const { skipper, mate, logbook } = await crewAboard(crewbell.server);
    const big = 'A'.repeat(65536);
    // Two pushes: one body is at most 4 MiB (API.md), as the PWA splits its queue.
    for (const half of [0, 40]) {
      await push(
        skipper,
        Array.from({ length: 40 }, (_, i) => ({
          logbookId: logbook.id,
          entityId: `chart${half + i}`,
          action: 'create',
          payload: big,
        })),
      );
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await pull(mate, logbook.id, cursor);
      pages++;
      assert.ok(page.items.length * 65536 <= 4 * 1024 * 1024, `page of ${page.items.length} entries`);
      seen.push(...page.items.map((i) => i.entityId));
      cursor = page.cursor;
      if (!page.hasMore) break;
      assert.ok(pages < 10);
    }
    assert.equal(pages, 2);
    assert.deepEqual(
      seen,
      Array.from({ length: 80 }, (_, i) => `chart${i}`),
    );
  });

  test('push and logbook changes without the right Origin are 403 csrf and change nothing', async () => {
    const { skipper, logbook } = await crewAboard(crewbell.server);
    const res = await skipper.client.post(
      '/api/sync/push',
      { items: [{ logbookId: logbook.id, entityId: 'e', action: 'create', payload: 'AAAA' }] },
      { origin: 'https://evil.example' },
    );
    assertError(res, 403, 'csrf');
    assertError(
      await skipper.client.post(`/api/logbooks/${logbook.id}/invites`, { role: 'WRITE' }, { origin: null }),
      403,
      'csrf',
    );
    assert.deepEqual(query('SELECT * FROM entries WHERE logbook_id = ?', logbook.id), []);
    assert.equal(query('SELECT * FROM invites WHERE logbook_id = ?', logbook.id).length, 2);
  });

  test('the server stores exactly the ciphertext it was sent', async () => {
    const { mate, logbook } = await aboard();
    const payloads = [ciphertext(1), ciphertext(1000), 'A'.repeat(65536), '-_-_', ciphertext(30000)];
    await push(
      mate,
      payloads.map((payload, i) => ({ logbookId: logbook.id, entityId: `p${i}`, action: 'create', payload })),
    );
    const rows = query<{ entity_id: string; payload: string }>(
      'SELECT entity_id, payload FROM entries WHERE logbook_id = ? ORDER BY seq',
      logbook.id,
    );
    assert.deepEqual(
      rows.map((r) => r.payload),
      payloads,
    );
    const meta = query<{ meta: string }>('SELECT meta FROM logbooks WHERE id = ?', logbook.id);
    assert.deepEqual(meta, [{ meta: logbook.meta }]);
  });
});

describe('crew changes reach the notification state', () => {
  test('a WRITE crew push of 7 successful items leaves pending_count 7 for (owner, logbook)', async () => {
    const { skipper, mate, logbook } = await aboard();
    const results = await push(
      mate,
      Array.from({ length: 7 }, (_, i) => ({
        logbookId: logbook.id,
        entityId: `n${i}`,
        action: 'create',
        payload: ciphertext(),
      })),
    );
    assert.equal(results.filter((r) => r.status === 'success').length, 7);
    assert.equal(pendingNotifications(skipper.id, logbook.id), 7);
    const [state] = query<any>(
      'SELECT due_at FROM notify_state WHERE user_id = ? AND logbook_id = ?',
      skipper.id,
      logbook.id,
    );
    assert.equal(typeof state.due_at, 'number');
  });

  test("the owner's own push and a READ member's refused push leave nothing", async () => {
    const { skipper, deckhand, logbook } = await aboard();
    await push(skipper, [{ logbookId: logbook.id, entityId: 'o', action: 'create', payload: ciphertext() }]);
    const refused = await push(deckhand, [
      { logbookId: logbook.id, entityId: 'r', action: 'create', payload: ciphertext() },
    ]);
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
    assert.deepEqual(
      results.map((r) => r.status),
      ['conflict', 'success', 'success', 'invalid', 'forbidden'],
    );
    assert.equal(pendingNotifications(skipper.id, logbook.id), 2);
    // A second request adds up while the notification is pending.
    await push(mate, [{ logbookId: logbook.id, entityId: 'd', action: 'delete' }]);
    assert.equal(pendingNotifications(skipper.id, logbook.id), 3);
  });
});

/** What the owner wrote before a pull, by logbook. */
const written = new Map<string, string>();

const WHO_MAY: ApiScenario[] = [
  ...byRole(
    {
      name: "POST /api/sync/push (the request's status, each item's status)",
      method: 'POST',
      url: () => '/api/sync/push',
      body: (crew) => ({
        items: [{ logbookId: crew.logbook.id, entityId: 'matrix', action: 'create', payload: ciphertext() }],
      }),
      after(crew, res) {
        const stored = query('SELECT 1 FROM entries WHERE logbook_id = ?', crew.logbook.id).length;
        assert.equal(stored, res.text.includes('"status":"success"') ? 1 : 0);
      },
    },
    { owner: 200, write: 200, read: 200, stranger: 200, signedOut: 401 },
    {
      owner: ['"status":"success"'],
      write: ['"status":"success"'],
      read: ['"status":"forbidden"'],
      stranger: ['"status":"forbidden"'],
    },
  ),
  ...byRole(
    {
      name: 'GET /api/sync/pull',
      method: 'GET',
      url: (crew) => `/api/sync/pull?logbookId=${crew.logbook.id}`,
      async before(crew) {
        const payload = ciphertext();
        written.set(crew.logbook.id, payload);
        await push(crew.skipper, [{ logbookId: crew.logbook.id, entityId: 'matrix', action: 'create', payload }]);
      },
      after(crew, res) {
        const payload = written.get(crew.logbook.id)!;
        if (res.status === 200)
          assert.deepEqual(
            res.body.items.map((i: any) => i.payload),
            [payload],
          );
        else assert.ok(!res.text.includes(payload), 'a refusal shows nothing of the logbook');
      },
    },
    { owner: 200, write: 200, read: 200, stranger: 403, signedOut: 401 },
  ),
];

describe('who may do what: every sync route × owner, WRITE, READ, stranger, signed out', () => {
  runScenarios(() => crewbell.server, WHO_MAY);
});

describe('bad input to sync', () => {
  test('push bodies that are not JSON, or of the wrong shape, are 400 invalid_request naming the field', async () => {
    const { skipper, logbook } = await crewAboard(crewbell.server);
    const item = { logbookId: logbook.id, entityId: 'e', action: 'create', payload: 'AAAA' };
    const cases: [unknown, RegExp][] = [
      [{}, /^items: /],
      [{ items: 'many' }, /^items: must be an array/],
      [{ items: [] }, /^items: must hold at least 1 item/],
      [{ items: [null] }, /^items\[0\]: /],
      [{ items: [item, { ...item, logbookId: 'not-a-uuid' }] }, /^items\[1\]\.logbookId: must be a uuid/],
      [{ items: [{ ...item, logbookId: 7 }] }, /^items\[0\]\.logbookId: /],
      [{ items: [{ ...item, entityId: '' }] }, /^items\[0\]\.entityId: must not be empty/],
      [{ items: [{ ...item, entityId: 'x'.repeat(65) }] }, /^items\[0\]\.entityId: at most 64/],
      [{ items: [{ ...item, entityId: 'a/b' }] }, /^items\[0\]\.entityId: /],
      [{ items: [{ ...item, entityId: 12 }] }, /^items\[0\]\.entityId: must be a string/],
      [{ items: [{ ...item, action: 'upsert' }] }, /^items\[0\]\.action: must be "create", "update" or "delete"/],
      [{ items: [{ ...item, payload: 'not base64url!' }] }, /^items\[0\]\.payload: must be base64url/],
      [{ items: [{ ...item, payload: 'A'.repeat(65537) }] }, /^items\[0\]\.payload: at most 65536 characters/],
      [{ items: [{ ...item, payload: { iv: 'x' } }] }, /^items\[0\]\.payload: /],
      [{ items: [{ ...item, baseVersion: '1' }] }, /^items\[0\]\.baseVersion: must be a number/],
      [{ items: [{ ...item, baseVersion: 1.5 }] }, /^items\[0\]\.baseVersion: must be a whole number/],
      [{ items: [{ ...item, baseVersion: -1 }] }, /^items\[0\]\.baseVersion: must be 0 or more/],
      [{ items: Array.from({ length: 501 }, (_, i) => ({ ...item, entityId: `e${i}` })) }, /^items: at most 500 items/],
      ['items', /^body: /],
    ];
    for (const [body, message] of cases) {
      const res = await skipper.client.post('/api/sync/push', body);
      assertError(res, 400, 'invalid_request');
      assert.match(res.body.error.message, message, JSON.stringify(body).slice(0, 200));
    }
    for (const raw of ['{"items": [', 'items=1', '\u0000']) {
      const res = await skipper.client.post('/api/sync/push', undefined, {
        rawBody: raw,
        headers: { 'content-type': 'application/json' },
      });
      assertError(res, 400, 'invalid_request');
      assert.match(res.body.error.message, /^body: not valid JSON/);
    }
    // Nothing of any refused request was written.
    assert.deepEqual(query('SELECT * FROM entries WHERE logbook_id = ?', logbook.id), []);
    // 500 items is fine.
    const full = await push(
      skipper,
      Array.from({ length: 500 }, (_, i) => ({ ...item, entityId: `e${i}` })),
    );
    assert.equal(full.length, 500);
    assert.ok(full.every((r, i) => r.status === 'success' && r.entityId === `e${i}`));
  });

  test('the largest push the contract allows (500 items, a body just under 4 MiB) is accepted', async () => {
    const { skipper, logbook } = await crewAboard(crewbell.server);
    const items = Array.from({ length: 500 }, (_, i) => ({
      logbookId: logbook.id,
      entityId: `full${i}`,
      action: 'create',
      payload: 'A'.repeat(8192),
    }));
    assert.ok(JSON.stringify({ items }).length > 4_100_000 && JSON.stringify({ items }).length < 4 * 1024 * 1024);
    const results = await push(skipper, items);
    assert.equal(results.filter((r) => r.status === 'success').length, 500);
  });

  test('a push body above the sync body limit is 413 payload_too_large and writes nothing', async () => {
    const { skipper, logbook } = await crewAboard(crewbell.server);
    // Every item is valid, but the body is over API.md's 4 MiB (clients split larger queues).
    const items = Array.from({ length: 70 }, (_, i) => ({
      logbookId: logbook.id,
      entityId: `big${i}`,
      action: 'create',
      payload: 'A'.repeat(65536),
    }));
    const res = await skipper.client.post('/api/sync/push', { items });
    assertError(res, 413, 'payload_too_large');
    assert.deepEqual(query('SELECT * FROM entries WHERE logbook_id = ?', logbook.id), []);
  });

  test('pull checks its query: logbookId must be a uuid, since must be a cursor from this server', async () => {
    const { skipper, logbook } = await crewAboard(crewbell.server);
    await push(skipper, [{ logbookId: logbook.id, entityId: 'e', action: 'create', payload: 'AAAA' }]);
    const bad: [string, RegExp][] = [
      ['', /^logbookId: /],
      ['logbookId=nope', /^logbookId: must be a uuid/],
      [`logbookId=${logbook.id}&since=banana`, /^since: /],
      [`logbookId=${logbook.id}&since=${Buffer.from('1.2.3').toString('base64url')}`, /^since: /],
      [`logbookId=${logbook.id}&since=${'A'.repeat(200)}`, /^since: /],
      [`logbookId=${logbook.id}&since=-1`, /^since: /],
    ];
    for (const [qs, message] of bad) {
      const res = await skipper.client.get(`/api/sync/pull?${qs}`);
      assertError(res, 400, 'invalid_request');
      assert.match(res.body.error.message, message, qs);
    }
    // An empty since is the start.
    assert.equal((await pull(skipper, logbook.id, '')).items.length, 1);
  });

  test('a cursor from a deleted logbook of the same id starts the new one from the beginning', async () => {
    const { skipper, logbook } = await crewAboard(crewbell.server);
    await push(
      skipper,
      [1, 2, 3].map((i) => ({ logbookId: logbook.id, entityId: `old${i}`, action: 'create', payload: 'AAAA' })),
    );
    const old = await pull(skipper, logbook.id);
    markReverified(crewbell.server, skipper);
    assert.equal((await skipper.client.delete(`/api/logbooks/${logbook.id}`)).status, 204);
    // Made again a moment later under the same id (back-dated so the creation time surely differs).
    assert.equal((await skipper.client.post('/api/logbooks', { id: logbook.id, meta: 'BBBB' })).status, 201);
    const db = crewbell.server.db();
    try {
      db.prepare('UPDATE logbooks SET created_at = created_at + 1000 WHERE id = ?').run(logbook.id);
    } finally {
      db.close();
    }
    await push(skipper, [{ logbookId: logbook.id, entityId: 'new', action: 'create', payload: 'CCCC' }]);
    const page = await pull(skipper, logbook.id, old.cursor);
    assert.deepEqual(
      page.items.map((i) => i.entityId),
      ['new'],
    );
  });
});
