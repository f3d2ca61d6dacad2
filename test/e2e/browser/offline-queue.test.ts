// The offline queue over the real IndexedDB in Chromium: the same module the PWA ships,
// bundled for the page, driven from the test. What the unit tests check over a Map must
// hold over IndexedDB too, including across a reload.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { repoRoot, startServer, type TestServer } from '../../helpers/server.ts';
import { launchBrowser, newPhone } from '../../helpers/browser.ts';

let server: TestServer;
let browser: Browser;
let page: Page;
let bundle = '';

before(async () => {
  const out = await build({
    stdin: {
      contents: `import { createQueue } from './offline/queue.ts'; import { idbStore } from './offline/idb.ts';
        globalThis.queueUnderTest = { queue: () => createQueue(idbStore('queue')), store: () => idbStore('queue') };`,
      resolveDir: path.join(repoRoot, 'web/src'),
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    write: false,
  });
  bundle = out.outputFiles[0]!.text;
  server = await startServer();
  browser = await launchBrowser();
  page = await (await newPhone(browser)).newPage();
  await page.goto(`${server.origin}/healthz`);
  // evaluate() is not subject to the page's CSP, unlike an inline script tag.
  await page.evaluate(bundle);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  server?.cleanup();
});

type Q = { queueUnderTest: { queue(): any; store(): any } };

test('changes queued in IndexedDB survive a reload and leave it once pushed', async () => {
  await page.evaluate(async () => {
    const queue = (globalThis as unknown as Q).queueUnderTest.queue();
    await queue.enqueue({ logbookId: 'L', entityId: 'e1', action: 'create', payload: 'first' });
    await queue.enqueue({ logbookId: 'L', entityId: 'e1', action: 'update', payload: 'second' });
    await queue.enqueue({ logbookId: 'L', entityId: 'e2', action: 'update', payload: 'x', baseVersion: 3 });
    await queue.enqueue({ logbookId: 'M', entityId: 'e3', action: 'create', payload: 'gone' });
    await queue.enqueue({ logbookId: 'M', entityId: 'e3', action: 'delete' });
  });
  await page.reload();
  await page.evaluate(bundle);
  const { sent, left, pendingBefore } = await page.evaluate(async () => {
    const queue = (globalThis as unknown as Q).queueUnderTest.queue();
    const pendingBefore = (await queue.pending()).map(
      (c: any) => `${c.logbookId}/${c.entityId}:${c.action}:${c.payload ?? ''}`,
    );
    const sent: unknown[] = [];
    await queue.flush(async (items: any[]) => {
      sent.push(...items);
      return items.map((item) => ({
        entityId: item.entityId,
        status: 'success',
        version: (item.baseVersion ?? 0) + 1,
      }));
    });
    return { sent, left: (await queue.pending()).length, pendingBefore };
  });
  assert.deepEqual(pendingBefore, ['L/e1:save:second', 'L/e2:save:x', 'M/e3:delete:']);
  assert.deepEqual(sent, [
    { logbookId: 'L', entityId: 'e1', action: 'create', payload: 'second' },
    { logbookId: 'L', entityId: 'e2', action: 'update', payload: 'x', baseVersion: 3 },
  ]);
  assert.equal(left, 0);
});

test('a failed push (offline) keeps everything in IndexedDB', async () => {
  const { error, left } = await page.evaluate(async () => {
    const queue = (globalThis as unknown as Q).queueUnderTest.queue();
    await queue.enqueue({ logbookId: 'L', entityId: 'e9', action: 'create', payload: 'at sea' });
    let error = '';
    try {
      await queue.flush(async () => {
        throw new TypeError('Failed to fetch');
      });
    } catch (e) {
      error = (e as Error).message;
    }
    return { error, left: (await queue.pending('L')).map((c: any) => c.payload) };
  });
  assert.equal(error, 'Failed to fetch');
  assert.deepEqual(left, ['at sea']);
});

test('list() by prefix keeps keys and values aligned in key order', async () => {
  const listed = await page.evaluate(async () => {
    const store = (globalThis as unknown as Q).queueUnderTest.store();
    for (const key of ['b/2', 'a/1', 'b/1', 'c/1']) await store.put(key, { key });
    return (await store.list('b/')).map(([k, v]: [string, { key: string }]) => `${k}=${v.key}`);
  });
  assert.deepEqual(listed, ['b/1=b/1', 'b/2=b/2']);
});
