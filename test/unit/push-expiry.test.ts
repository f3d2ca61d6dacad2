// A browser may give its subscription an expirationTime: past it, the push service has
// forgotten the device, so crewbell queues nothing for it and prune removes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../src/db.ts';
import { queueForUser } from '../../src/push/outbox.ts';
import { pruneSubscriptions, saveSubscription } from '../../src/push/subscriptions.ts';
import { testMessage } from '../../src/push/messages.ts';

const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;

function device(n: number, expirationTime: number | null) {
  return {
    endpoint: `https://push.example.org/d${n}`,
    p256dh: 'p',
    auth: 'a',
    expirationTime,
    locale: 'en' as const,
    vapidPublicKey: null,
  };
}

test('an expired subscription gets no job and is pruned; live ones get their job and stay', () => {
  const db = openDatabase(':memory:');
  db.prepare("INSERT INTO users (id, username, created_at) VALUES ('u1', 'skipper', 0)").run();
  const expired = saveSubscription(db, 'u1', device(1, NOW - 1), NOW - DAY);
  const later = saveSubscription(db, 'u1', device(2, NOW + DAY), NOW - DAY);
  const open = saveSubscription(db, 'u1', device(3, null), NOW - DAY);

  assert.equal(queueForUser(db, 'u1', testMessage, null, NOW), 2);
  const queued = db
    .prepare('SELECT subscription_id AS id FROM push_outbox ORDER BY id')
    .all()
    .map((r) => r.id);
  assert.deepEqual(queued.sort(), [later, open].sort());

  assert.equal(pruneSubscriptions(db, NOW, 60 * DAY), 1);
  const left = db
    .prepare('SELECT id FROM push_subscriptions')
    .all()
    .map((r) => r.id);
  assert.deepEqual(left.sort(), [later, open].sort());
  assert.ok(!left.includes(expired));
  db.close();
});
