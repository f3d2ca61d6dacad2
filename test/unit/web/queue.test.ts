// The offline queue over the in-memory store (the same code runs over IndexedDB in the
// browser; the e2e suite covers that).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createQueue,
  type SetAsideChange,
  UPLOAD_MAX_ITEMS,
  type UploadItem,
  type UploadResult,
} from '../../../web/src/offline/queue.ts';
import { memoryStore } from '../../../web/src/offline/storage.ts';

/** A stand-in for the server's push answer: versions count up per entry. */
function fakeServer(statusFor: (item: UploadItem) => UploadResult['status'] = () => 'success') {
  const versions = new Map<string, number>();
  const calls: UploadItem[][] = [];
  const send = async (items: UploadItem[]): Promise<UploadResult[]> => {
    calls.push(items);
    return items.map((item) => {
      const status = statusFor(item);
      if (status !== 'success') return { entityId: item.entityId, status };
      const version = (versions.get(item.entityId) ?? 0) + 1;
      versions.set(item.entityId, version);
      return { entityId: item.entityId, status, version };
    });
  };
  return { send, calls };
}

test('changes made offline wait in the queue and go out in edit order once online', async () => {
  const queue = createQueue(memoryStore());
  await queue.enqueue({ logbookId: 'L', entityId: 'e1', action: 'create', payload: 'c1' });
  await queue.enqueue({ logbookId: 'L', entityId: 'e2', action: 'create', payload: 'c2' });
  await queue.enqueue({ logbookId: 'L', entityId: 'e0', action: 'update', payload: 'c0', baseVersion: 4 });
  const offline = async (): Promise<UploadResult[]> => {
    throw new TypeError('Failed to fetch');
  };
  await assert.rejects(queue.flush(offline));
  assert.equal((await queue.pending()).length, 3, 'nothing lost while offline');

  const server = fakeServer();
  const outcomes = await queue.flush(server.send);
  assert.deepEqual(server.calls[0], [
    { logbookId: 'L', entityId: 'e1', action: 'create', payload: 'c1' },
    { logbookId: 'L', entityId: 'e2', action: 'create', payload: 'c2' },
    { logbookId: 'L', entityId: 'e0', action: 'update', payload: 'c0', baseVersion: 4 },
  ]);
  assert.deepEqual(
    outcomes.map((o) => [o.entityId, o.status, o.version]),
    [
      ['e1', 'success', 1],
      ['e2', 'success', 1],
      ['e0', 'success', 1],
    ],
  );
  assert.equal((await queue.pending()).length, 0);
});

test('a second edit before the flush replaces the first; the push is still a create', async () => {
  const queue = createQueue(memoryStore());
  await queue.enqueue({ logbookId: 'L', entityId: 'e1', action: 'create', payload: 'first' });
  await queue.enqueue({ logbookId: 'L', entityId: 'e1', action: 'update', payload: 'second' });
  const server = fakeServer();
  await queue.flush(server.send);
  assert.deepEqual(server.calls, [[{ logbookId: 'L', entityId: 'e1', action: 'create', payload: 'second' }]]);
});

test('an entry made and deleted offline never reaches the server', async () => {
  const queue = createQueue(memoryStore());
  await queue.enqueue({ logbookId: 'L', entityId: 'e1', action: 'create', payload: 'oops' });
  await queue.enqueue({ logbookId: 'L', entityId: 'e1', action: 'delete' });
  const server = fakeServer();
  assert.deepEqual(await queue.flush(server.send), []);
  assert.equal(server.calls.length, 0);
  assert.equal((await queue.pending()).length, 0);
});

test('deleting a synced entry sends a delete on its known version', async () => {
  const queue = createQueue(memoryStore());
  await queue.enqueue({ logbookId: 'L', entityId: 'e1', action: 'update', payload: 'x', baseVersion: 2 });
  await queue.enqueue({ logbookId: 'L', entityId: 'e1', action: 'delete' });
  const server = fakeServer();
  await queue.flush(server.send);
  assert.deepEqual(server.calls, [[{ logbookId: 'L', entityId: 'e1', action: 'delete', baseVersion: 2 }]]);
});

test('an edit made while a push is in flight stays queued, based on the new version', async () => {
  const queue = createQueue(memoryStore());
  await queue.enqueue({ logbookId: 'L', entityId: 'e1', action: 'create', payload: 'v1' });
  const server = fakeServer();
  await queue.flush(async (items) => {
    await queue.enqueue({ logbookId: 'L', entityId: 'e1', action: 'update', payload: 'v2' });
    return server.send(items);
  });
  const [left] = await queue.pending();
  assert.deepEqual(
    { action: left?.action, payload: left?.payload, isNew: left?.isNew, baseVersion: left?.baseVersion },
    { action: 'save', payload: 'v2', isNew: false, baseVersion: 1 },
  );
  await queue.flush(server.send);
  assert.deepEqual(server.calls[1], [
    { logbookId: 'L', entityId: 'e1', action: 'update', payload: 'v2', baseVersion: 1 },
  ]);
});

test('conflict and forbidden answers leave the queue and are reported', async () => {
  const queue = createQueue(memoryStore());
  await queue.enqueue({ logbookId: 'L', entityId: 'stale', action: 'update', payload: 'x', baseVersion: 1 });
  await queue.enqueue({ logbookId: 'R', entityId: 'readonly', action: 'create', payload: 'y' });
  await queue.enqueue({ logbookId: 'L', entityId: 'gone', action: 'delete', baseVersion: 1 });
  const server = fakeServer((item) => (item.entityId === 'readonly' ? 'forbidden' : 'conflict'));
  const outcomes = await queue.flush(server.send);
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['conflict', 'forbidden', 'conflict'],
  );
  // The refused edit travels back with its conflict, to be kept as a copy; nothing else does.
  assert.deepEqual(
    outcomes.map((o) => o.refusedPayload),
    ['x', undefined, undefined],
  );
  assert.equal((await queue.pending()).length, 0);
});

test('more than 500 changes go out in several pushes of at most 500', async () => {
  const queue = createQueue(memoryStore());
  for (let i = 0; i < UPLOAD_MAX_ITEMS + 20; i++)
    await queue.enqueue({ logbookId: 'L', entityId: `e${String(i).padStart(4, '0')}`, action: 'create', payload: 'p' });
  const server = fakeServer();
  const outcomes = await queue.flush(server.send);
  assert.deepEqual(
    server.calls.map((c) => c.length),
    [UPLOAD_MAX_ITEMS, 20],
  );
  assert.equal(outcomes.length, UPLOAD_MAX_ITEMS + 20);
});

test('the queue survives a new queue over the same store (a reload)', async () => {
  const store = memoryStore<any>();
  await createQueue(store).enqueue({ logbookId: 'L', entityId: 'e1', action: 'create', payload: 'kept' });
  const reopened = createQueue(store);
  assert.deepEqual(
    (await reopened.pending('L')).map((c) => c.payload),
    ['kept'],
  );
  assert.deepEqual(await reopened.pending('other'), []);
  await reopened.clear('L');
  assert.deepEqual(await reopened.pending(), []);
});

test('two flushes at once do not send the same change twice', async () => {
  const queue = createQueue(memoryStore());
  await queue.enqueue({ logbookId: 'L', entityId: 'e1', action: 'create', payload: 'p' });
  const server = fakeServer();
  await Promise.all([queue.flush(server.send), queue.flush(server.send)]);
  assert.deepEqual(
    server.calls.map((c) => c.length),
    [1],
  );
});

test('a forbidden change leaves the queue but is kept aside with its payload, until dismissed (issue 18)', async () => {
  const aside = memoryStore<SetAsideChange>();
  const queue = createQueue(memoryStore(), aside);
  await queue.enqueue({ logbookId: 'R', entityId: 'written-at-sea', action: 'create', payload: 'sealed words' });
  await queue.enqueue({ logbookId: 'R', entityId: 'removed', action: 'delete', baseVersion: 2 });
  await queue.enqueue({ logbookId: 'L', entityId: 'fine', action: 'create', payload: 'ok' });
  const server = fakeServer((item) => (item.logbookId === 'R' ? 'forbidden' : 'success'));
  await queue.flush(server.send);
  assert.equal((await queue.pending()).length, 0);
  const kept = await queue.setAside('R');
  assert.deepEqual(
    kept.map((c) => [c.entityId, c.action, c.payload]),
    [
      ['written-at-sea', 'save', 'sealed words'],
      ['removed', 'delete', undefined],
    ],
  );
  assert.ok(kept.every((c) => c.refusedAt > 0));
  assert.deepEqual(await queue.setAside('L'), []);
  // Kept in the store given: a new queue over it (a reload) still has them.
  assert.equal((await createQueue(memoryStore(), aside).setAside()).length, 2);
  await queue.dismiss('R', 'written-at-sea');
  assert.deepEqual(
    (await queue.setAside()).map((c) => c.entityId),
    ['removed'],
  );
});
