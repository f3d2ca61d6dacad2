// The service worker's push and click logic (web/src/push-event.ts) with plain objects for
// the event and the worker's globals: a declarative push (event.notification present) and a
// classic one, enrichment that throws, hangs or is slow, the badge, and where a click goes.
// The same code runs in Chromium's real worker in test/e2e/browser/notifications.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clickTarget, handlePush, pathOnOrigin, timeBoxed, type PushDeps } from '../../web/src/push-event.ts';

const ORIGIN = 'https://crewbell.example.org';
const LOGBOOK = '6f1c2a4e-0000-4000-8000-000000000001';

/** What the server sends (API.md "The push message", third edition). */
const MESSAGE = {
  web_push: 8030,
  notification: {
    title: 'crewbell',
    body: 'New changes in one of your logbooks.',
    navigate: `${ORIGIN}/logbook/${LOGBOOK}`,
    tag: `logbook-${LOGBOOK}`,
    lang: 'en',
  },
  app_badge: 4,
  mutable: true,
  title: 'crewbell',
  body: 'New changes in one of your logbooks.',
  tag: `logbook-${LOGBOOK}`,
  renotify: false,
  data: { url: `/logbook/${LOGBOOK}`, logbookId: LOGBOOK, changeCount: 3 },
};

const classic = (payload: unknown) => ({
  data: {
    json: () => JSON.parse(typeof payload === 'string' ? payload : JSON.stringify(payload)),
    text: () => (typeof payload === 'string' ? payload : JSON.stringify(payload)),
  },
});

/** As Safari hands over a mutable declarative push: the proposed notification, and the JSON. */
const declarativeEvent = (payload: typeof MESSAGE) => ({
  ...classic(payload),
  notification: {
    title: payload.notification.title,
    body: payload.notification.body,
    tag: payload.notification.tag,
    navigate: payload.notification.navigate,
  },
});

function worker(enrich: PushDeps['enrich'], extra: Partial<PushDeps> = {}) {
  const shown: { title: string; options: NotificationOptions & { renotify?: boolean } }[] = [];
  const badges: (number | 'cleared')[] = [];
  const deps: PushDeps = {
    origin: ORIGIN,
    showNotification: async (title, options) => {
      shown.push({ title, options });
    },
    enrich,
    setAppBadge: async (n) => {
      badges.push(n);
    },
    clearAppBadge: async () => {
      badges.push('cleared');
    },
    enrichTimeoutMs: 50,
    ...extra,
  };
  return { deps, shown, badges };
}

const enriched = async () => 'Baltic summer: 3 new entries by Anna';

for (const [shape, event] of [
  ['classic', classic(MESSAGE)],
  ['declarative', declarativeEvent(MESSAGE)],
] as const) {
  test(`a ${shape} push: one notification, worded on the device, the badge set, a click goes to navigate`, async () => {
    const w = worker(enriched);
    const result = await handlePush(event, w.deps);
    assert.equal(w.shown.length, 1);
    const [{ title, options }] = w.shown as [(typeof w.shown)[0]];
    assert.equal(title, 'crewbell');
    assert.equal(options.body, 'Baltic summer: 3 new entries by Anna');
    assert.equal(options.tag, `logbook-${LOGBOOK}`);
    assert.equal(options.renotify, false);
    assert.equal(options.lang, 'en');
    assert.deepEqual(options.data, { ...MESSAGE.data, url: `/logbook/${LOGBOOK}` });
    assert.deepEqual(w.badges, [4]);
    assert.deepEqual(result, {
      title: 'crewbell',
      body: 'Baltic summer: 3 new entries by Anna',
      tag: `logbook-${LOGBOOK}`,
      url: `/logbook/${LOGBOOK}`,
      badge: 4,
      enriched: true,
    });
    assert.equal(clickTarget(options.data, undefined, ORIGIN), `/logbook/${LOGBOOK}`);
  });

  test(`a ${shape} push whose decryption throws still shows the generic text`, async () => {
    const w = worker(async () => {
      throw new DOMException('The operation failed for an operation-specific reason', 'OperationError');
    });
    const result = await handlePush(event, w.deps);
    assert.deepEqual(
      w.shown.map((s) => [s.title, s.options.body]),
      [['crewbell', 'New changes in one of your logbooks.']],
    );
    assert.equal(result.enriched, false);
    assert.deepEqual(w.badges, [4]);
  });

  test(`a ${shape} push whose decryption hangs shows the generic text once the time box is over`, async () => {
    const w = worker(() => new Promise<string>(() => {}));
    const started = performance.now();
    const result = await handlePush(event, w.deps);
    assert.ok(performance.now() - started < 5_000, 'did not wait for the hanging enrichment');
    assert.deepEqual(
      w.shown.map((s) => s.options.body),
      ['New changes in one of your logbooks.'],
    );
    assert.equal(result.enriched, false);
  });
}

test('slow enrichment that finishes inside the time box is used; one that finishes after it is not', async () => {
  const slowBy = (ms: number) => () =>
    new Promise<string>((resolve) => setTimeout(() => resolve('Mira: 1 change'), ms));
  const inTime = worker(slowBy(5), { enrichTimeoutMs: 1_000 });
  await handlePush(classic(MESSAGE), inTime.deps);
  assert.equal(inTime.shown[0]!.options.body, 'Mira: 1 change');
  const late = worker(slowBy(200), { enrichTimeoutMs: 20 });
  await handlePush(classic(MESSAGE), late.deps);
  assert.equal(late.shown[0]!.options.body, 'New changes in one of your logbooks.');
});

test('enrichment that throws before its first await is caught too', async () => {
  const w = worker((() => {
    throw new Error('no IndexedDB here');
  }) as unknown as PushDeps['enrich']);
  await handlePush(classic(MESSAGE), w.deps);
  assert.equal(w.shown[0]!.options.body, 'New changes in one of your logbooks.');
});

test('the proposed notification of a declarative push wins over the JSON; the JSON alone is enough', async () => {
  const w = worker(async () => undefined);
  await handlePush(
    { notification: { title: 'Proposed', body: 'From the browser', tag: 'test', navigate: `${ORIGIN}/settings` } },
    w.deps,
  );
  assert.deepEqual(
    w.shown.map((s) => [s.title, s.options.body, s.options.tag, (s.options.data as { url: string }).url]),
    [['Proposed', 'From the browser', 'test', '/settings']],
  );
  assert.deepEqual(w.badges, [], 'no app_badge, no badge call');
  // A declarative-only message (no classic members): its notification is shown.
  const only = worker(async () => undefined);
  await handlePush(
    classic({ web_push: 8030, notification: { title: 'T', body: 'B', navigate: `${ORIGIN}/x` } }),
    only.deps,
  );
  assert.deepEqual(
    only.shown.map((s) => [s.title, s.options.body, (s.options.data as { url: string }).url]),
    [['T', 'B', '/x']],
  );
});

test('a test push (not a crew change) is not enriched; app_badge 0 clears the badge', async () => {
  let asked = 0;
  const w = worker(async () => {
    asked++;
    return 'never';
  });
  await handlePush(
    classic({
      web_push: 8030,
      notification: { title: 'crewbell', body: 'Test', navigate: `${ORIGIN}/settings`, tag: 'test', lang: 'de' },
      app_badge: 0,
      mutable: true,
      title: 'crewbell',
      body: 'Test',
      tag: 'test',
      renotify: false,
      data: { url: '/settings' },
    }),
    w.deps,
  );
  assert.equal(asked, 0);
  assert.equal(w.shown[0]!.options.body, 'Test');
  assert.equal(w.shown[0]!.options.lang, 'de');
  assert.deepEqual(w.badges, ['cleared']);
});

test('bad or missing data still shows a notification; a browser refusing the badge does not fail the push', async () => {
  const textOnly = worker(async () => undefined);
  await handlePush({ data: { json: () => JSON.parse('not json'), text: () => 'plain words' } }, textOnly.deps);
  assert.deepEqual(
    textOnly.shown.map((s) => [s.title, s.options.body, s.options.tag, (s.options.data as { url: string }).url]),
    [['crewbell', 'plain words', undefined, '/']],
  );
  const empty = worker(async () => undefined);
  await handlePush({ data: null }, empty.deps);
  assert.deepEqual(
    empty.shown.map((s) => [s.title, s.options.body]),
    [['crewbell', '']],
  );
  const refusing = worker(enriched, {
    setAppBadge: async () => {
      throw new DOMException('not allowed', 'NotAllowedError');
    },
  });
  const result = await handlePush(classic(MESSAGE), refusing.deps);
  assert.equal(refusing.shown.length, 1);
  assert.equal(result.badge, 4);
  const noBadging = worker(enriched, { setAppBadge: undefined, clearAppBadge: undefined });
  await handlePush(classic(MESSAGE), noBadging.deps);
  assert.equal(noBadging.shown.length, 1);
});

test('a click goes to a path on our origin only: url first, then navigate; anything odd goes home', () => {
  assert.equal(clickTarget({ url: '/logbook/a' }, `${ORIGIN}/settings`, ORIGIN), '/logbook/a');
  assert.equal(clickTarget({}, `${ORIGIN}/settings?x=1#y`, ORIGIN), '/settings?x=1#y');
  assert.equal(clickTarget(null, undefined, ORIGIN), '/');
  assert.equal(pathOnOrigin('https://evil.example/steal', ORIGIN), '/steal', 'another origin: only its path, here');
  assert.equal(pathOnOrigin('javascript:alert(1)', ORIGIN), '/');
  assert.equal(pathOnOrigin('', ORIGIN), '/');
  assert.equal(pathOnOrigin(42, ORIGIN), '/');
});

test('timeBoxed gives the value, or undefined on a throw or when late', async () => {
  assert.equal(await timeBoxed(async () => 7, 100), 7);
  assert.equal(await timeBoxed(async () => Promise.reject(new Error('x')), 100), undefined);
  assert.equal(await timeBoxed(() => new Promise<number>(() => {}), 10), undefined);
});
