// The outbox's rows on a real SQLite database (src/push/outbox.ts), no sending: what a
// notification queues per device and language (badge counted once), the reads the worker
// builds its board from, and what an answer writes back (delivered, postponed, deleted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openDatabase, transaction } from '../../src/db.ts';
import {
  backoffDelay,
  deleteJob,
  jobsAfter,
  jobToSend,
  outboxDepth,
  postponeJob,
  queueForDevice,
  queueForUser,
  recordDelivered,
} from '../../src/push/outbox.ts';
import { badgeOf, countNotified } from '../../src/push/badges.ts';
import { declarative } from '../../src/push/declarative.ts';
import { crewChangesMessage, testMessage, type Locale, type PushMessage } from '../../src/push/messages.ts';

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);

function world() {
  const db = openDatabase(':memory:');
  const user = (name: string) => {
    const id = randomUUID();
    db.prepare('INSERT INTO users (id, username, created_at) VALUES (?, ?, 0)').run(id, name);
    return id;
  };
  const device = (userId: string, endpoint: string, locale: Locale = 'en') => {
    const id = randomUUID();
    db.prepare(
      'INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at) VALUES (?, ?, ?, ?, ?, ?, 0)',
    ).run(id, userId, endpoint, `p-${id}`, `a-${id}`, locale);
    return id;
  };
  const logbook = (ownerId: string) => {
    const id = randomUUID();
    db.prepare("INSERT INTO logbooks (id, owner_id, meta, created_at) VALUES (?, ?, 'x', 0)").run(id, ownerId);
    return id;
  };
  const rows = () =>
    db
      .prepare(
        'SELECT id, subscription_id, payload, topic, urgency, attempts, next_attempt_at, created_at, last_error FROM push_outbox ORDER BY id',
      )
      .all()
      .map((r) => ({ ...r })) as {
      id: number;
      subscription_id: string;
      payload: string;
      topic: string | null;
      urgency: string;
      attempts: number;
      next_attempt_at: number;
      created_at: number;
      last_error: string | null;
    }[];
  return { db, user, device, logbook, rows };
}

test('a notification queues one job per device, its message made once per language, due now', () => {
  const w = world();
  const skipper = w.user('skipper');
  const en1 = w.device(skipper, 'https://push.example/en1', 'en');
  const de = w.device(skipper, 'https://push.example/de', 'de');
  const en2 = w.device(skipper, 'https://push.example/en2', 'en');
  const made: Locale[] = [];
  const message = (l: Locale) => {
    made.push(l);
    return testMessage(l);
  };
  assert.equal(
    transaction(w.db, () => queueForUser(w.db, skipper, message, 'topic1', NOW)),
    3,
  );
  assert.deepEqual(made.sort(), ['de', 'en']);
  const payload = (l: Locale) => JSON.stringify(declarative(testMessage(l), l, 0));
  assert.deepEqual(
    w.rows().map(({ id: _, ...row }) => row),
    [
      [en1, 'en'],
      [de, 'de'],
      [en2, 'en'],
    ].map(([subscription_id, l]) => ({
      subscription_id,
      payload: payload(l as Locale),
      topic: 'topic1',
      urgency: 'normal',
      attempts: 0,
      next_attempt_at: NOW,
      created_at: NOW,
      last_error: null,
    })),
  );
  assert.equal(outboxDepth(w.db), 3);
  w.db.close();
});

test('a sailor without devices gets no job and no message is made', () => {
  const w = world();
  const loner = w.user('loner');
  w.device(w.user('other'), 'https://push.example/other');
  let made = 0;
  assert.equal(
    queueForUser(
      w.db,
      loner,
      (l) => {
        made++;
        return testMessage(l);
      },
      null,
      NOW,
    ),
    0,
  );
  assert.equal(made, 0);
  assert.equal(outboxDepth(w.db), 0);
  w.db.close();
});

test("a message about changes adds them to the badge once, whatever the devices' languages; other messages carry the badge as it is", () => {
  const w = world();
  const skipper = w.user('skipper');
  w.device(skipper, 'https://push.example/en', 'en');
  w.device(skipper, 'https://push.example/de', 'de');
  const logbook = w.logbook(skipper);
  countNotified(w.db, skipper, logbook, 2);
  queueForUser(w.db, skipper, (l) => crewChangesMessage(l, logbook, 3), null, NOW);
  assert.equal(badgeOf(w.db, skipper), 5);
  assert.deepEqual(
    w.rows().map((r) => JSON.parse(r.payload).app_badge),
    [5, 5],
  );
  queueForUser(w.db, skipper, testMessage, null, NOW);
  assert.equal(badgeOf(w.db, skipper), 5);
  assert.deepEqual(
    w.rows().map((r) => JSON.parse(r.payload).app_badge),
    [5, 5, 5, 5],
  );
  // A count without a logbook, or a logbook without a count, is not a message about changes.
  const odd = (data: Record<string, unknown>) => (): PushMessage => ({ ...testMessage('en'), data });
  queueForUser(w.db, skipper, odd({ changeCount: 4 }), null, NOW);
  queueForUser(w.db, skipper, odd({ logbookId: logbook, changeCount: '4' }), null, NOW);
  queueForUser(w.db, skipper, odd({ logbookId: logbook }), null, NOW);
  assert.equal(badgeOf(w.db, skipper), 5);
  w.db.close();
});

test('one job for one device: its id, due now, no topic', () => {
  const w = world();
  const sub = w.device(w.user('skipper'), 'https://push.example/d');
  const first = queueForDevice(w.db, sub, '{"a":1}', NOW);
  const second = queueForDevice(w.db, sub, '{"b":2}', NOW + 5);
  assert.deepEqual(
    w.rows(),
    [
      [first, '{"a":1}', NOW],
      [second, '{"b":2}', NOW + 5],
    ].map(([id, payload, at]) => ({
      id,
      subscription_id: sub,
      payload,
      topic: null,
      urgency: 'normal',
      attempts: 0,
      next_attempt_at: at,
      created_at: at,
      last_error: null,
    })),
  );
  w.db.close();
});

test("the worker's reads: jobs after an id in id order up to a limit, one job with what sending needs, its due time", () => {
  const w = world();
  const skipper = w.user('skipper');
  const sub = w.device(skipper, 'https://push.example:8443/send/d');
  const ids = [1, 2, 3, 4].map((n) => queueForDevice(w.db, sub, `{"n":${n}}`, NOW + n));
  assert.deepEqual(
    jobsAfter(w.db, ids[0]!, 2).map((j) => ({ ...j })),
    [ids[1], ids[2]].map((id, i) => ({ id, dueAt: NOW + 2 + i, userId: skipper, host: 'push.example:8443' })),
  );
  assert.deepEqual(jobsAfter(w.db, ids[3]!, 10), []);
  postponeJob(w.db, ids[1]!, 2, NOW + 9_000, 'the push service had trouble (HTTP 503)');
  assert.deepEqual(
    { ...jobToSend(w.db, ids[1]!) },
    {
      id: ids[1],
      subscriptionId: sub,
      endpoint: 'https://push.example:8443/send/d',
      p256dh: `p-${sub}`,
      auth: `a-${sub}`,
      payload: '{"n":2}',
      topic: null,
      urgency: 'normal',
      attempts: 2,
      userId: skipper,
      host: 'push.example:8443',
      dueAt: NOW + 9_000,
    },
  );
  deleteJob(w.db, ids[1]!);
  assert.equal(jobToSend(w.db, ids[1]!), undefined);
  assert.deepEqual(
    w.rows().map((r) => r.id),
    [ids[0], ids[2], ids[3]],
  );
  w.db.close();
});

test('a postponed job keeps its error, cut to 200 characters', () => {
  const w = world();
  const sub = w.device(w.user('skipper'), 'https://push.example/d');
  const id = queueForDevice(w.db, sub, '{}', NOW);
  postponeJob(w.db, id, 1, NOW + 1_000, 'x'.repeat(250));
  const [row] = w.rows();
  assert.deepEqual([row!.attempts, row!.next_attempt_at, row!.last_error], [1, NOW + 1_000, 'x'.repeat(200)]);
  w.db.close();
});

test('delivered jobs are deleted and their devices marked used and no longer failing; others untouched', () => {
  const w = world();
  const skipper = w.user('skipper');
  const a = w.device(skipper, 'https://push.example/a');
  const b = w.device(skipper, 'https://push.example/b');
  const c = w.device(skipper, 'https://push.example/c');
  w.db
    .prepare(
      "UPDATE push_subscriptions SET failures = 3, permanent_failures = 1, failing_since = 5, failing_reason = 'down', last_used_at = 1",
    )
    .run();
  const a1 = queueForDevice(w.db, a, '{}', NOW);
  const a2 = queueForDevice(w.db, a, '{}', NOW);
  const b1 = queueForDevice(w.db, b, '{}', NOW);
  const c1 = queueForDevice(w.db, c, '{}', NOW);
  recordDelivered(
    w.db,
    [
      { id: a1, subscriptionId: a },
      { id: a2, subscriptionId: a },
      { id: b1, subscriptionId: b },
    ],
    NOW + 7,
  );
  assert.deepEqual(
    w.rows().map((r) => r.id),
    [c1],
  );
  const state = (id: string) => ({
    ...w.db
      .prepare(
        'SELECT last_used_at, failures, permanent_failures, failing_since, failing_reason FROM push_subscriptions WHERE id = ?',
      )
      .get(id),
  });
  const fine = { last_used_at: NOW + 7, failures: 0, permanent_failures: 0, failing_since: null, failing_reason: null };
  assert.deepEqual(state(a), fine);
  assert.deepEqual(state(b), fine);
  assert.deepEqual(state(c), {
    last_used_at: 1,
    failures: 3,
    permanent_failures: 1,
    failing_since: 5,
    failing_reason: 'down',
  });
  w.db.close();
});

test('backoff: the first retry waits about the base, a Retry-After in the past means at once', () => {
  assert.equal(
    backoffDelay(0, 2_000, undefined, () => 1),
    2_000,
  );
  assert.equal(
    backoffDelay(1, 2_000, undefined, () => 0.5),
    1_500,
  );
  assert.equal(
    backoffDelay(4, 1_000, undefined, () => 0),
    4_000,
  );
  assert.equal(backoffDelay(2, 2_000, -5_000), 0);
  assert.equal(backoffDelay(2, 2_000, 0), 0);
  assert.equal(backoffDelay(2, 2_000, 1_234), 1_234);
  assert.equal(
    backoffDelay(1, 1_000, undefined, () => 0.3333),
    667,
  );
});
