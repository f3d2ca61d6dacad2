// The offline queue splits a push by bytes as well as by count: a phone that wrote a lot
// at sea (large entries) must never send a body over the server's 4 MiB limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  batchesOf,
  createQueue,
  UPLOAD_MAX_BYTES,
  UPLOAD_MAX_ITEMS,
  type UploadItem,
  type UploadResult,
} from '../../../web/src/offline/queue.ts';
import { memoryStore } from '../../../web/src/offline/storage.ts';

const FOUR_MIB = 4 * 1024 * 1024;

test('a queue of large entries goes out in bodies under 4 MiB, each at most 500 items, in edit order', async () => {
  const queue = createQueue(memoryStore());
  const logbookId = randomUUID();
  // 150 entries of 48 KiB ciphertext (≈ 64 KiB base64url, the contract's largest) ≈ 9.6 MB in all.
  const written: string[] = [];
  for (let i = 0; i < 150; i++) {
    const entityId = `e${String(i).padStart(3, '0')}`;
    written.push(entityId);
    await queue.enqueue({
      logbookId,
      entityId,
      action: 'create',
      payload: randomBytes(48 * 1024).toString('base64url'),
    });
  }
  const bodies: number[] = [];
  const sent: string[] = [];
  const send = async (items: UploadItem[]): Promise<UploadResult[]> => {
    bodies.push(Buffer.byteLength(JSON.stringify({ items })));
    sent.push(...items.map((i) => i.entityId));
    return items.map((i) => ({ entityId: i.entityId, status: 'success', version: 1 }));
  };
  const outcomes = await queue.flush(send);
  assert.equal(outcomes.length, 150);
  assert.deepEqual(sent, written, 'every entry once, in edit order');
  assert.ok(bodies.length >= 3, `split into ${bodies.length} requests`);
  for (const size of bodies) assert.ok(size <= UPLOAD_MAX_BYTES && size < FOUR_MIB, `a body of ${size} bytes`);
  assert.equal((await queue.pending()).length, 0);
});

test('small items still split at 500 per request', () => {
  const items = Array.from({ length: 1201 }, (_, i) => ({ entityId: `e${i}` }));
  const batches = batchesOf(items, (i) => i);
  assert.deepEqual(
    batches.map((b) => b.length),
    [UPLOAD_MAX_ITEMS, UPLOAD_MAX_ITEMS, 201],
  );
});

test('the byte budget counts the JSON envelope and the commas exactly', () => {
  const item = { p: 'x'.repeat(90) }; // {"p":"xxx…"} = 98 bytes
  const one = Buffer.byteLength(JSON.stringify({ items: [item] }));
  const three = Buffer.byteLength(JSON.stringify({ items: [item, item, item] }));
  assert.deepEqual(
    batchesOf([item, item, item], (i) => i, 500, three).map((b) => b.length),
    [3],
  );
  assert.deepEqual(
    batchesOf([item, item, item], (i) => i, 500, three - 1).map((b) => b.length),
    [2, 1],
  );
  assert.deepEqual(
    batchesOf([item, item], (i) => i, 500, one).map((b) => b.length),
    [1, 1],
  );
});
