// Who wrote what and how to undo it, through the real app in-process: a pull names each entry's
// first author, the history lists every version (deletes too) newest first, a restore is an
// ordinary update, only those aboard may read it, and replaced versions go after 90 days.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { appForFile } from '../helpers/app.ts';
import { assertError } from '../helpers/client.ts';
import type { TestUser } from '../helpers/accounts.ts';
import { ciphertext, crewAboard } from '../helpers/crew.ts';
import { HISTORY_PAGE_BYTES } from '../../src/sync/history.ts';

const crewbell = appForFile();
const aboard = () => crewAboard(crewbell.server);
const DAY = 86_400_000;

async function upload(who: TestUser, items: object[]) {
  const res = await who.client.post('/api/sync/push', { items });
  assert.equal(res.status, 200, res.text);
  return res.body.results as Array<{ entityId: string; status: string; version?: number }>;
}

const historyPath = (logbookId: string, entityId: string) =>
  `/api/sync/history?logbookId=${logbookId}&entityId=${entityId}`;

describe('authorship in pull', () => {
  test('createdBy stays the first author while updatedBy follows the last editor, also after a delete and a restore', async () => {
    const { skipper, mate, logbook } = await aboard();
    const original = ciphertext();
    await upload(skipper, [{ logbookId: logbook.id, entityId: 'noon', action: 'create', payload: original }]);
    await upload(mate, [
      { logbookId: logbook.id, entityId: 'noon', action: 'update', payload: ciphertext(), baseVersion: 1 },
    ]);
    let pulled = (await mate.client.get(`/api/sync/pull?logbookId=${logbook.id}`)).body.items;
    assert.deepEqual(
      pulled.map((i: any) => [i.entityId, i.version, i.createdBy, i.updatedBy]),
      [['noon', 2, skipper.id, mate.id]],
    );
    await upload(mate, [{ logbookId: logbook.id, entityId: 'noon', action: 'delete', baseVersion: 2 }]);
    await upload(mate, [
      { logbookId: logbook.id, entityId: 'noon', action: 'update', payload: original, baseVersion: 3 },
    ]);
    pulled = (await skipper.client.get(`/api/sync/pull?logbookId=${logbook.id}`)).body.items;
    assert.deepEqual(
      pulled.map((i: any) => [i.version, i.deleted, i.payload, i.createdBy, i.updatedBy]),
      [[4, false, original, skipper.id, mate.id]],
    );
  });
});

describe('entry history', () => {
  test('every version, deletes included, newest first; a restore is an update with an old payload', async () => {
    const { skipper, mate, logbook } = await aboard();
    const [v1, v2] = [ciphertext(), ciphertext()];
    await upload(skipper, [{ logbookId: logbook.id, entityId: 'dawn', action: 'create', payload: v1 }]);
    await upload(mate, [{ logbookId: logbook.id, entityId: 'dawn', action: 'update', payload: v2, baseVersion: 1 }]);
    await upload(mate, [{ logbookId: logbook.id, entityId: 'dawn', action: 'delete', baseVersion: 2 }]);
    // The skipper brings back their own words: an ordinary update on top of the delete.
    const restored = await upload(skipper, [
      { logbookId: logbook.id, entityId: 'dawn', action: 'update', payload: v1, baseVersion: 3 },
    ]);
    assert.deepEqual(restored, [{ entityId: 'dawn', status: 'success', version: 4 }]);

    const res = await skipper.client.get(historyPath(logbook.id, 'dawn'));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.versions.map((v: any) => [v.version, v.payload, v.deleted, v.updatedBy]),
      [
        [4, v1, false, skipper.id],
        [3, null, true, mate.id],
        [2, v2, false, mate.id],
        [1, v1, false, skipper.id],
      ],
    );
    for (const v of res.body.versions) {
      assert.deepEqual(Object.keys(v).sort(), ['deleted', 'payload', 'updatedAt', 'updatedBy', 'version']);
      assert.equal(new Date(v.updatedAt).toISOString(), v.updatedAt);
    }
  });

  test('refused items leave no version behind: a conflict or a READ member writes nothing', async () => {
    const { skipper, mate, deckhand, logbook } = await aboard();
    await upload(skipper, [{ logbookId: logbook.id, entityId: 'e', action: 'create', payload: ciphertext() }]);
    assert.equal(
      (
        await upload(mate, [
          { logbookId: logbook.id, entityId: 'e', action: 'update', payload: ciphertext(), baseVersion: 7 },
        ])
      )[0]!.status,
      'conflict',
    );
    assert.equal(
      (await upload(deckhand, [{ logbookId: logbook.id, entityId: 'e', action: 'update', payload: ciphertext() }]))[0]!
        .status,
      'forbidden',
    );
    const res = await mate.client.get(historyPath(logbook.id, 'e'));
    assert.deepEqual(
      res.body.versions.map((v: any) => v.version),
      [1],
    );
  });

  test('a 100-version history comes back whole in one request', async () => {
    const { skipper, mate, logbook } = await aboard();
    const payloads = Array.from({ length: 100 }, () => ciphertext(600));
    await upload(skipper, [{ logbookId: logbook.id, entityId: 'busy', action: 'create', payload: payloads[0] }]);
    // 99 edits in one upload: each item is a version of its own.
    await upload(
      mate,
      payloads.slice(1).map((payload, i) => ({
        logbookId: logbook.id,
        entityId: 'busy',
        action: 'update',
        payload,
        baseVersion: i + 1,
      })),
    );
    const res = await skipper.client.get(historyPath(logbook.id, 'busy'));
    assert.equal(res.status, 200);
    assert.equal(res.body.versions.length, 100);
    assert.deepEqual(
      res.body.versions.map((v: any) => v.payload),
      [...payloads].reverse(),
    );
    assert.deepEqual(
      res.body.versions.map((v: any) => v.version),
      Array.from({ length: 100 }, (_, i) => 100 - i),
    );
  });

  test('a history of 6 MiB comes in pages of at most 4 MiB of payload (1 MiB here): nextBefore leads to the older versions (issue 18)', async () => {
    const { skipper, mate, logbook } = await aboard();
    // 100 versions of 64 KiB: before the pages, one request answered all 6.4 MiB at once.
    const payloads = Array.from({ length: 100 }, () => ciphertext(48 * 1024));
    await upload(skipper, [{ logbookId: logbook.id, entityId: 'big', action: 'create', payload: payloads[0] }]);
    for (const from of [1, 50]) {
      await upload(
        skipper,
        payloads.slice(from, from + 49 + (from === 50 ? 1 : 0)).map((payload, i) => ({
          logbookId: logbook.id,
          entityId: 'big',
          action: 'update',
          payload,
          baseVersion: from + i,
        })),
      );
    }
    const seen: number[] = [];
    const pages: number[] = [];
    let before: number | undefined;
    do {
      const res = await mate.client.get(
        `${historyPath(logbook.id, 'big')}${before === undefined ? '' : `&before=${before}`}`,
      );
      assert.equal(res.status, 200, res.text);
      const bytes = res.body.versions.reduce((sum: number, v: any) => sum + (v.payload?.length ?? 0), 0);
      assert.ok(bytes <= HISTORY_PAGE_BYTES && HISTORY_PAGE_BYTES <= 4 * 1024 * 1024, `${bytes} bytes in one page`);
      pages.push(res.body.versions.length);
      seen.push(...res.body.versions.map((v: any) => v.version));
      before = res.body.nextBefore;
      assert.ok(pages.length < 10, 'the pages end');
    } while (before !== undefined);
    assert.equal(pages.length, Math.ceil(100 / Math.floor(HISTORY_PAGE_BYTES / 65536)), `pages of ${pages.join(', ')}`);
    assert.deepEqual(
      seen,
      Array.from({ length: 100 }, (_, i) => 100 - i),
    );
    assert.deepEqual(
      (await mate.client.get(`${historyPath(logbook.id, 'big')}&before=1`)).body,
      { versions: [] },
      'nothing before the first version',
    );
    for (const bad of ['0', '-1', 'x', '1e3', '9'.repeat(20)]) {
      assertError(
        await mate.client.get(`${historyPath(logbook.id, 'big')}&before=${bad}`),
        400,
        'invalid_request',
        /^before: /,
      );
    }
  });

  test('recently deleted: every deleted entry with its last content in one request, newest delete first (issue 18)', async () => {
    const { skipper, mate, stranger, logbook } = await aboard();
    const [a1, a2, b1, c1] = [ciphertext(), ciphertext(), ciphertext(), ciphertext()];
    const lb = logbook.id;
    await upload(skipper, [
      { logbookId: lb, entityId: 'a', action: 'create', payload: a1 },
      { logbookId: lb, entityId: 'b', action: 'create', payload: b1 },
      { logbookId: lb, entityId: 'c', action: 'create', payload: c1 },
    ]);
    await upload(mate, [{ logbookId: lb, entityId: 'a', action: 'update', payload: a2, baseVersion: 1 }]);
    await upload(mate, [{ logbookId: lb, entityId: 'a', action: 'delete', baseVersion: 2 }]);
    await new Promise((r) => setTimeout(r, 5));
    await upload(skipper, [{ logbookId: lb, entityId: 'b', action: 'delete', baseVersion: 1 }]);
    const res = await mate.client.get(`/api/sync/deleted?logbookId=${lb}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.more, false);
    assert.deepEqual(
      res.body.entries.map((e: any) => [e.entityId, e.deletedBy, e.deletedVersion, e.version, e.payload, e.updatedBy]),
      [
        ['b', skipper.id, 2, 1, b1, skipper.id],
        ['a', mate.id, 3, 2, a2, mate.id],
      ],
    );
    assertError(await stranger.client.get(`/api/sync/deleted?logbookId=${lb}`), 403, 'forbidden');
    assertError(await mate.client.get('/api/sync/deleted?logbookId=nope'), 400, 'invalid_request');
  });

  test('who may read a history: every member; not a stranger, not the signed-out; bad queries are 400', async () => {
    const { skipper, mate, deckhand, stranger, logbook } = await aboard();
    await upload(skipper, [{ logbookId: logbook.id, entityId: 'x', action: 'create', payload: ciphertext() }]);
    const path = historyPath(logbook.id, 'x');
    const cases: Array<[string, () => Promise<any>, number, string?]> = [
      ['OWNER', () => skipper.client.get(path), 200],
      ['WRITE', () => mate.client.get(path), 200],
      ['READ', () => deckhand.client.get(path), 200],
      ['non-member', () => stranger.client.get(path), 403, 'forbidden'],
      ['signed out', () => crewbell.anonymous().get(path), 401, 'unauthenticated'],
      ['no such logbook', () => skipper.client.get(historyPath(randomUUID(), 'x')), 404, 'not_found'],
      ['bad logbook id', () => skipper.client.get(historyPath('nope', 'x')), 400, 'invalid_request'],
      ['bad entity id', () => skipper.client.get(historyPath(logbook.id, 'a%20b')), 400, 'invalid_request'],
      ['no entity id', () => skipper.client.get(`/api/sync/history?logbookId=${logbook.id}`), 400, 'invalid_request'],
    ];
    for (const [who, call, status, code] of cases) {
      const res = await call();
      if (code) assertError(res, status, code);
      else {
        assert.equal(res.status, status, `${who}: ${res.text}`);
        assert.deepEqual(
          res.body.versions.map((v: any) => v.version),
          [1],
          who,
        );
      }
    }
    assert.deepEqual((await skipper.client.get(historyPath(logbook.id, 'never-written'))).body, { versions: [] });
  });

  test('a replaced version is kept 90 days after it was replaced, then pruned on the next write; the current one stays', async () => {
    const { skipper, logbook } = await aboard();
    const id = logbook.id;
    for (const entityId of ['old', 'recent']) {
      await upload(skipper, [{ logbookId: id, entityId, action: 'create', payload: ciphertext() }]);
      await upload(skipper, [{ logbookId: id, entityId, action: 'update', payload: ciphertext(), baseVersion: 1 }]);
    }
    const now = Date.now();
    // Back-date: 'old' v1 was replaced 91 days ago, 'recent' v1 89 days ago, and both
    // current versions were written 200 days ago (a current version is never replaced).
    crewbell.server.query(
      'UPDATE entry_versions SET replaced_at = ? WHERE logbook_id = ? AND entity_id = ? AND version = 1',
      now - 91 * DAY,
      id,
      'old',
    );
    crewbell.server.query(
      'UPDATE entry_versions SET replaced_at = ? WHERE logbook_id = ? AND entity_id = ? AND version = 1',
      now - 89 * DAY,
      id,
      'recent',
    );
    crewbell.server.query(
      'UPDATE entry_versions SET updated_at = ? WHERE logbook_id = ? AND version = 2',
      now - 200 * DAY,
      id,
    );
    // Nothing is pruned until the logbook is written to again.
    assert.equal((await skipper.client.get(historyPath(id, 'old'))).body.versions.length, 2);

    await upload(skipper, [{ logbookId: id, entityId: 'other', action: 'create', payload: ciphertext() }]);
    const versions = async (entityId: string) =>
      (await skipper.client.get(historyPath(id, entityId))).body.versions.map((v: any) => v.version);
    assert.deepEqual(await versions('old'), [2]);
    assert.deepEqual(await versions('recent'), [2, 1]);
  });

  test('a logbook deleted takes its history with it', async () => {
    const { skipper, logbook } = await aboard();
    await upload(skipper, [{ logbookId: logbook.id, entityId: 'gone', action: 'create', payload: ciphertext() }]);
    crewbell.server.query('UPDATE sessions SET reverified_at = ? WHERE id = ?', Date.now(), skipper.sessionId);
    assert.equal((await skipper.client.delete(`/api/logbooks/${logbook.id}`)).status, 204);
    assert.deepEqual(
      crewbell.server.query('SELECT COUNT(*) AS n FROM entry_versions WHERE logbook_id = ?', logbook.id),
      [{ n: 0 }],
    );
  });
});
