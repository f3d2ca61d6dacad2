// What the outbox worker tells about each answer, against the local push service with the
// manual clock: the log line in words (endpoint shortened), the push metrics (results and
// durations), and onRecorded, for a delivery, a gone device, a refusal, a retry, retries
// run out, a device refused too often, and a message that cannot be encrypted.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openDatabase, transaction } from '../../src/db.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger, truncateEndpoint } from '../../src/log.ts';
import { createMetrics } from '../../src/metrics.ts';
import { pushMetricSources } from '../../src/push/stats.ts';
import { createVapidSigner } from '../../src/push/authorization.ts';
import { createTransport, type SendOutcome } from '../../src/push/transport.ts';
import { createOutboxWorker } from '../../src/push/worker.ts';
import { queueForUser, type OutboxJob } from '../../src/push/outbox.ts';
import { MAX_PERMANENT_FAILURES } from '../../src/push/subscriptions.ts';
import { testMessage } from '../../src/push/messages.ts';
import { freshVapidKeys } from '../helpers/vapid.ts';
import { startPushService, type PushServiceDevice } from '../helpers/push-service.ts';
import { waitFor } from '../helpers/server.ts';

const ps = await startPushService();
after(() => ps.close());

function setup(retries: number) {
  const db = openDatabase(':memory:');
  // On a whole second: an HTTP date in Retry-After has no milliseconds.
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
  const signer = createVapidSigner(freshVapidKeys(), 'mailto:skipper@example.org', clock);
  const metrics = createMetrics(pushMetricSources(db), { defaults: false });
  const transport = createTransport({ timeoutMs: 5_000, allowInsecure: true });
  /** Log lines without their time stamp. */
  const logs: string[] = [];
  const recorded: { endpoint: string; outcome: SendOutcome }[] = [];
  const worker = createOutboxWorker(
    {
      db,
      clock,
      log: createLogger((line) => logs.push(line.slice(line.indexOf(' ') + 1))),
      metrics,
      transport,
      signer: () => signer,
      onRecorded: (job: OutboxJob, outcome: SendOutcome) => recorded.push({ endpoint: job.endpoint, outcome }),
    },
    { concurrency: 4, retries, retryBaseMs: 2_000, ttlSeconds: 60, random: () => 0.5 },
  );
  const userId = randomUUID();
  db.prepare('INSERT INTO users (id, username, created_at) VALUES (?, ?, 0)').run(userId, `u${userId.slice(0, 8)}`);
  const subscribe = (device: PushServiceDevice, p256dh = device.subscription.keys.p256dh) => {
    const id = randomUUID();
    db.prepare(
      'INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at) VALUES (?, ?, ?, ?, ?, ?, 0)',
    ).run(id, userId, device.endpoint, p256dh, device.subscription.keys.auth, 'en');
    return id;
  };
  const send = () => {
    transaction(db, () => queueForUser(db, userId, (l) => testMessage(l), null, clock.now()));
    worker.kick();
  };
  const jobs = () => (db.prepare('SELECT COUNT(*) AS n FROM push_outbox').get() as { n: number }).n;
  const sent = async () =>
    Object.fromEntries((await metrics.pushSent.get()).values.map((v) => [v.labels.result, v.value]));
  const durations = async () => {
    const values = (await metrics.pushDuration.get()).values;
    const of = (name: string) => values.find((v) => v.metricName === name)?.value;
    return { count: of('crewbell_push_duration_seconds_count'), sum: of('crewbell_push_duration_seconds_sum') };
  };
  const stop = async () => {
    await worker.stop();
    transport.close();
    db.close();
  };
  return { db, clock, worker, logs, recorded, subscribe, send, jobs, sent, durations, stop };
}

test('each answer is logged in words, counted by result, timed in seconds, and told to onRecorded', async () => {
  const t = setup(3);
  const fine = ps.createDevice();
  const alsoFine = ps.createDevice();
  const gone = ps.createDevice();
  const refused = ps.createDevice();
  const busy = ps.createDevice();
  for (const d of [fine, alsoFine, gone, refused, busy]) t.subscribe(d);
  ps.plan(gone, 410);
  ps.plan(refused, 403);
  ps.plan(busy, 503);
  const started = performance.now();
  t.send();
  await waitFor(() => t.recorded.length === 5, 'five answers recorded');
  const elapsed = (performance.now() - started) / 1000;
  const short = (d: PushServiceDevice) => truncateEndpoint(d.endpoint);
  assert.deepEqual(t.logs.sort(), [
    `info push subscription gone, removed endpoint=${short(gone)} status=410`,
    `info push will be retried endpoint=${short(busy)} attempt=1 in_ms=1500 reason="the push service had trouble (HTTP 503)"`,
    `warn push refused endpoint=${short(refused)} status=403 reason="the push service refused the VAPID signature or key (HTTP 403)"`,
  ]);
  assert.deepEqual(await t.sent(), { success: 2, gone: 1, failed: 1, retry: 1 });
  const byEndpoint = new Map(t.recorded.map((r) => [r.endpoint, r.outcome]));
  assert.deepEqual(byEndpoint.get(fine.endpoint), { kind: 'success', status: 201 });
  assert.deepEqual(byEndpoint.get(alsoFine.endpoint), { kind: 'success', status: 201 });
  assert.deepEqual(byEndpoint.get(gone.endpoint), { kind: 'gone', status: 410 });
  assert.equal(byEndpoint.get(refused.endpoint)?.kind, 'failed');
  assert.equal(byEndpoint.get(busy.endpoint)?.kind, 'retry');
  // Five requests, each timed in seconds: none of no time at all, none longer than the test waited.
  const { count, sum } = await t.durations();
  assert.equal(count, 5);
  assert.ok(sum! > 0 && sum! <= 5 * elapsed, `${sum} s in ${elapsed} s`);
  await t.stop();
});

test('retries run out: logged as failed with the device kept; a device refused too often is removed, and logged so', async () => {
  const t = setup(0);
  const busy = ps.createDevice();
  const refused = ps.createDevice();
  t.subscribe(busy);
  const refusedId = t.subscribe(refused);
  t.db
    .prepare('UPDATE push_subscriptions SET permanent_failures = ? WHERE id = ?')
    .run(MAX_PERMANENT_FAILURES - 1, refusedId);
  ps.plan(busy, 503);
  ps.plan(refused, 400);
  t.send();
  await waitFor(() => t.recorded.length === 2 && t.jobs() === 0, 'both answers recorded');
  const reason400 = 'the push service refused the message as malformed (HTTP 400)';
  assert.deepEqual(t.logs.sort(), [
    `info push subscription refused too often, removed endpoint=${truncateEndpoint(refused.endpoint)} reason="${reason400}"`,
    `warn push failed after retries; the device is kept and marked failing endpoint=${truncateEndpoint(busy.endpoint)} attempts=1 reason="the push service had trouble (HTTP 503)"`,
    `warn push refused endpoint=${truncateEndpoint(refused.endpoint)} status=400 reason="${reason400}"`,
  ]);
  assert.deepEqual(
    t.db
      .prepare('SELECT endpoint FROM push_subscriptions')
      .all()
      .map((r) => r.endpoint),
    [busy.endpoint],
  );
  assert.deepEqual(await t.sent(), { success: 0, gone: 0, failed: 2, retry: 0 });
  await t.stop();
});

test('a device whose key cannot be used is refused without a request, and the others still get theirs', async () => {
  const t = setup(3);
  const broken = ps.createDevice();
  const fine = ps.createDevice();
  t.subscribe(broken, 'AAAA');
  t.subscribe(fine);
  t.send();
  await waitFor(() => t.recorded.length === 2 && t.jobs() === 0, 'both answers recorded');
  const outcome = t.recorded.find((r) => r.endpoint === broken.endpoint)!.outcome;
  assert.equal(outcome.kind, 'failed');
  assert.match((outcome as { reason: string }).reason, /^cannot encrypt for this device: /);
  assert.equal(ps.messages.filter((m) => m.deviceId === broken.id).length, 0);
  assert.equal(ps.delivered(fine).length, 1);
  await t.stop();
});

test("a Retry-After date is read on the worker's clock", async () => {
  const t = setup(3);
  const busy = ps.createDevice();
  t.subscribe(busy);
  ps.plan(busy, { status: 503, retryAfter: new Date(t.clock.now() + 30_000).toUTCString() });
  t.send();
  await waitFor(() => t.recorded.length === 1, 'the answer recorded');
  const row = t.db.prepare('SELECT next_attempt_at FROM push_outbox').get() as { next_attempt_at: number };
  assert.equal(row.next_attempt_at, t.clock.now() + 30_000);
  await t.stop();
});
