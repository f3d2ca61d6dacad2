// The outbox worker's life around its deliveries, against the local push service with the
// manual clock: idle() and stop(), a send that throws, a failed write of the answers (retried
// 5 s later, none lost), a failed read of the outbox, a database closed under it, one delivery
// per account, jobs another process answered or postponed, and the bounds on stalled deliveries.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openDatabase, transaction } from '../../src/db.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { createVapidSigner } from '../../src/push/authorization.ts';
import { createTransport, type SendOutcome } from '../../src/push/transport.ts';
import { createOutboxWorker, type WorkerOptions } from '../../src/push/worker.ts';
import { queueForUser } from '../../src/push/outbox.ts';
import { testMessage } from '../../src/push/messages.ts';
import { freshVapidKeys } from '../helpers/vapid.ts';
import { startPushService, type PushServiceDevice } from '../helpers/push-service.ts';
import { waitFor } from '../helpers/server.ts';

const ps = await startPushService();
after(() => ps.close());

function setup(options: Partial<WorkerOptions> = {}) {
  const db = openDatabase(':memory:');
  const clock = new ManualClock(Date.now());
  const signer = createVapidSigner(freshVapidKeys(), 'mailto:skipper@example.org', clock);
  const transport = createTransport({ timeoutMs: 60_000, allowInsecure: true });
  const logs: string[] = [];
  const recorded: SendOutcome[] = [];
  const worker = createOutboxWorker(
    {
      db,
      clock,
      log: createLogger((line) => logs.push(line.slice(line.indexOf(' ') + 1))),
      transport,
      signer: () => signer,
      onRecorded: (_job, outcome) => recorded.push(outcome),
    },
    { concurrency: 4, retries: 3, retryBaseMs: 2_000, ttlSeconds: 60, random: () => 0.5, ...options },
  );
  const sailor = () => {
    const id = randomUUID();
    db.prepare('INSERT INTO users (id, username, created_at) VALUES (?, ?, 0)').run(id, `u${id.slice(0, 8)}`);
    return id;
  };
  const subscribe = (userId: string, device: PushServiceDevice) =>
    db
      .prepare(
        'INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at) VALUES (?, ?, ?, ?, ?, ?, 0)',
      )
      .run(randomUUID(), userId, device.endpoint, device.subscription.keys.p256dh, device.subscription.keys.auth, 'en');
  const notify = (userId: string, topic: string | null = null) =>
    transaction(db, () => queueForUser(db, userId, (l) => testMessage(l), topic, clock.now()));
  const jobs = () => (db.prepare('SELECT COUNT(*) AS n FROM push_outbox').get() as { n: number }).n;
  const stop = async () => {
    await worker.stop();
    transport.close();
    if (db.isOpen) db.close();
  };
  return { db, clock, worker, logs, recorded, sailor, subscribe, notify, jobs, stop };
}

test('idle() waits until every answer is recorded; after stop() a kick sends nothing and idle() is at once', async () => {
  const t = setup();
  const sailor = t.sailor();
  const device = ps.createDevice();
  t.subscribe(sailor, device);
  ps.plan(device, { status: 201, delayMs: 100 });
  t.notify(sailor);
  t.worker.kick();
  await t.worker.idle();
  assert.equal(ps.delivered(device).length, 1);
  assert.equal(t.jobs(), 0, 'recorded before idle() resolved');
  assert.deepEqual(t.worker.stats, { commits: 1, answers: 1 });
  await t.worker.stop();
  assert.deepEqual(t.worker.stats, { commits: 1, answers: 1 }, 'stop() with nothing to record writes nothing');
  t.notify(sailor);
  t.worker.kick();
  await t.worker.idle();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(ps.messages.filter((m) => m.deviceId === device.id).length, 1, 'nothing sent after stop()');
  assert.equal(t.jobs(), 1);
  await t.stop();
});

test('a send that throws is recorded as failed with its error, and the worker carries on', async () => {
  const t = setup();
  const sailor = t.sailor();
  const device = ps.createDevice();
  t.subscribe(sailor, device);
  // A Topic no HTTP header can carry: Node refuses to send the request at all.
  t.notify(sailor, 'bad\ntopic');
  t.worker.kick();
  await waitFor(() => t.recorded.length === 1, 'the answer recorded');
  assert.equal(t.recorded[0]!.kind, 'failed');
  assert.match((t.recorded[0] as { reason: string }).reason, /Invalid character in header content \["topic"\]/);
  assert.equal(t.jobs(), 0);
  t.notify(sailor);
  t.worker.kick();
  await ps.waitForDelivered(1, device);
  await t.stop();
});

test('a failed write of the answers is logged and tried again 5 s later, losing none', async () => {
  const t = setup();
  const sailor = t.sailor();
  const device = ps.createDevice();
  t.subscribe(sailor, device);
  t.db.exec("CREATE TRIGGER full BEFORE DELETE ON push_outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  t.notify(sailor);
  t.worker.kick();
  await waitFor(() => t.logs.length === 1, 'the failure logged');
  assert.deepEqual(t.logs, ['error recording push results failed; retrying in 5 s error="disk full"']);
  assert.equal(t.jobs(), 1);
  t.db.exec('DROP TRIGGER full');
  t.clock.advance(4_999);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(t.jobs(), 1, 'not before 5 s');
  t.clock.advance(1);
  await waitFor(() => t.jobs() === 0, 'the answer recorded');
  assert.deepEqual(t.recorded, [{ kind: 'success', status: 201 }]);
  assert.equal(ps.delivered(device).length, 1, 'sent once');
  await t.stop();
});

test('a database closed under the worker (a shutdown) is no error: the answers in flight are let go', async () => {
  // One delivery per account at a time: the second device's job waits on the board.
  const t = setup();
  const sailor = t.sailor();
  const device = ps.createDevice();
  const waiting = ps.createDevice();
  t.subscribe(sailor, device);
  t.subscribe(sailor, waiting);
  ps.plan(device, { status: 201, delayMs: 100 });
  t.notify(sailor);
  t.worker.kick();
  await waitFor(() => ps.hanging() === 1, 'the request sent');
  t.db.close();
  await ps.waitForDelivered(1, device);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(t.logs, []);
  assert.equal(ps.messages.filter((m) => m.deviceId === waiting.id).length, 0);
  await t.stop();
});

test('one delivery per account at a time by default; a waiting job another process answered or postponed meanwhile is respected', async () => {
  const t = setup();
  const sailor = t.sailor();
  // Its own push service: closing it ends the request left waiting.
  const service = await startPushService();
  const [first, answered, postponed] = [service.createDevice(), service.createDevice(), service.createDevice()];
  for (const d of [first, answered, postponed]) t.subscribe(sailor, d);
  service.plan(first, { status: 201, delayMs: 60_000 });
  t.notify(sailor);
  t.worker.kick();
  await waitFor(() => service.hanging() === 1, 'the first request');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(service.messages.filter((m) => m.deviceId !== first.id).length, 0, 'the others wait for the account');
  const jobOf = (d: PushServiceDevice) =>
    (
      t.db
        .prepare(
          'SELECT o.id FROM push_outbox o JOIN push_subscriptions s ON s.id = o.subscription_id WHERE s.endpoint = ?',
        )
        .get(d.endpoint) as { id: number }
    ).id;
  t.db.prepare('DELETE FROM push_outbox WHERE id = ?').run(jobOf(answered));
  t.db.prepare('UPDATE push_outbox SET next_attempt_at = ? WHERE id = ?').run(t.clock.now() + 10_000, jobOf(postponed));
  // The first delivery stalls: the account's share is free again.
  t.clock.advance(1_000);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(service.messages.filter((m) => m.deviceId !== first.id).length, 0, 'one gone, one not due');
  t.clock.advance(9_000);
  await service.waitForDelivered(1, postponed);
  assert.equal(service.messages.filter((m) => m.deviceId === answered.id).length, 0);
  await service.close();
  await t.stop();
});

test('stalled deliveries are bounded by the host share too: past it a hanging delivery keeps its slot', async () => {
  // Concurrency 2: one delivery in flight per host, and one stalled per host.
  const t = setup({ concurrency: 2, perUser: 2 });
  // Its own push service: closing it ends the requests left hanging.
  const service = await startPushService();
  const hanging = [service.createDevice(), service.createDevice(), service.createDevice()];
  for (const d of hanging) {
    const sailor = t.sailor();
    t.subscribe(sailor, d);
    service.plan(d, 'hang');
    t.notify(sailor);
  }
  t.worker.kick();
  await waitFor(() => service.hanging() === 1, 'the first request');
  t.clock.advance(1_000);
  await waitFor(() => service.hanging() === 2, 'the second request, the first stalled');
  t.clock.advance(1_000);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(service.hanging(), 2, 'the second keeps its slot: the host has its stalled one');
  await service.close();
  await t.stop();
});

test('stalled deliveries are bounded by the concurrency too', async () => {
  // Two in flight; host and account shares wide enough not to count.
  const t = setup({ concurrency: 2, perHost: 8, perUser: 8 });
  const service = await startPushService();
  for (let i = 0; i < 5; i++) {
    const sailor = t.sailor();
    const device = service.createDevice();
    t.subscribe(sailor, device);
    service.plan(device, 'hang');
    t.notify(sailor);
  }
  t.worker.kick();
  await waitFor(() => service.hanging() === 2, 'two requests');
  t.clock.advance(1_000);
  await waitFor(() => service.hanging() === 4, 'two more, the first two stalled');
  t.clock.advance(1_000);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(service.hanging(), 4, 'two stalled already: the next two keep their slots');
  await service.close();
  await t.stop();
});

test('a failed read of the outbox is logged and tried again 5 s later', async () => {
  const t = setup();
  const sailor = t.sailor();
  const device = ps.createDevice();
  t.subscribe(sailor, device);
  t.notify(sailor);
  t.db.exec('ALTER TABLE push_outbox RENAME TO push_outbox_away');
  t.worker.kick();
  await waitFor(() => t.logs.length === 1, 'the failure logged');
  assert.deepEqual(t.logs, ['error push outbox worker failed; retrying in 5 s error="no such table: push_outbox"']);
  t.db.exec('ALTER TABLE push_outbox_away RENAME TO push_outbox');
  t.clock.advance(4_999);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(ps.messages.filter((m) => m.deviceId === device.id).length, 0, 'not before 5 s');
  t.clock.advance(1);
  await ps.waitForDelivered(1, device);
  await t.stop();
});

test('stop() finishes the delivery in flight, records it, and lets idle() go', async () => {
  const t = setup();
  const sailor = t.sailor();
  const device = ps.createDevice();
  t.subscribe(sailor, device);
  ps.plan(device, { status: 201, delayMs: 100 });
  t.notify(sailor);
  t.worker.kick();
  await waitFor(() => ps.hanging() === 1, 'the request sent');
  const idle = t.worker.idle();
  await t.worker.stop();
  await idle;
  assert.equal(t.jobs(), 0);
  assert.deepEqual(t.recorded, [{ kind: 'success', status: 201 }]);
  await t.stop();
});
