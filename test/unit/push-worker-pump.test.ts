// The worker's pump step by step. Between the real transport and the worker sits a gate that
// holds each answer (after the local push service has taken the message) until the test lets
// it go, so which jobs are in flight, the order they went out in, and when their answers are
// written are the test's to see: when the outbox is read into the due board and how far, the
// stall accounting, idle(), batched writes, and the timers a worker leaves. Real HTTP, real
// encryption, an in-memory database, the manual clock.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openDatabase, transaction } from '../../src/db.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { createVapidSigner } from '../../src/push/authorization.ts';
import { createTransport, type Transport } from '../../src/push/transport.ts';
import { createOutboxWorker, type WorkerOptions } from '../../src/push/worker.ts';
import { queueForUser } from '../../src/push/outbox.ts';
import { testMessage } from '../../src/push/messages.ts';
import { freshVapidKeys } from '../helpers/vapid.ts';
import { startPushService, type PushServiceDevice } from '../helpers/push-service.ts';
import { waitFor } from '../helpers/server.ts';

const ps = await startPushService();
after(() => ps.close());

const turn = () => new Promise((r) => setImmediate(r));

function world(options: Partial<WorkerOptions> = {}) {
  const db = openDatabase(':memory:');
  const clock = new ManualClock(Date.now());
  const signer = createVapidSigner(freshVapidKeys(), 'mailto:skipper@example.org', clock);
  const transport = createTransport({ timeoutMs: 10_000, allowInsecure: true });
  const labels = new Map<string, string>();
  /** Devices in the order the worker started sending to them. */
  const order: string[] = [];
  const held: { label: string; go: () => void }[] = [];
  let onTheWire = 0;
  const gate: Transport = {
    async send(request, now) {
      const label = labels.get(request.endpoint)!;
      order.push(label);
      onTheWire++;
      const outcome = await transport.send(request, now);
      onTheWire--;
      await new Promise<void>((go) => held.push({ label, go }));
      return outcome;
    },
    close: () => transport.close(),
  };
  const logs: string[] = [];
  const worker = createOutboxWorker(
    {
      db,
      clock,
      log: createLogger((line) => logs.push(line.slice(line.indexOf(' ') + 1))),
      transport: gate,
      signer: () => signer,
    },
    { concurrency: 1, retries: 3, retryBaseMs: 2_000, ttlSeconds: 60, random: () => 0.5, ...options },
  );
  /** Until every message sent has been answered by the push service and the worker has moved on. */
  const quiet = async () => {
    await turn();
    await turn();
    await waitFor(() => onTheWire === 0, 'the push service to answer');
    await turn();
    await turn();
  };
  const sailor = () => {
    const id = randomUUID();
    db.prepare('INSERT INTO users (id, username, created_at) VALUES (?, ?, 0)').run(id, `u${id.slice(0, 8)}`);
    return id;
  };
  /** A device of the sailor's, known by its label. */
  const device = (userId: string, label: string): PushServiceDevice => {
    const d = ps.createDevice();
    labels.set(d.endpoint, label);
    db.prepare(
      'INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at) VALUES (?, ?, ?, ?, ?, ?, 0)',
    ).run(randomUUID(), userId, d.endpoint, d.subscription.keys.p256dh, d.subscription.keys.auth, 'en');
    return d;
  };
  /** A sailor with one device per label (their jobs queued in label order). */
  const crew = (...deviceLabels: string[]) => {
    const id = sailor();
    return { id, devices: deviceLabels.map((l) => device(id, l)) };
  };
  const notify = (userId: string) =>
    transaction(db, () => queueForUser(db, userId, (l) => testMessage(l), null, clock.now()));
  /** Lets the held answers go (those of the given devices, or all), then waits for the worker to move on. */
  const release = async (...which: string[]) => {
    const going = which.length ? held.filter((h) => which.includes(h.label)) : [...held];
    assert.equal(going.length, which.length || held.length, `answers held for ${which.join(', ')}`);
    for (const h of going) held.splice(held.indexOf(h), 1);
    for (const h of going) h.go();
    await turn();
    await quiet();
  };
  const kick = async () => {
    worker.kick();
    await turn();
    await quiet();
  };
  /** Moves the clock (firing stall and retry timers), then waits for the worker to move on. */
  const advance = async (ms: number) => {
    clock.advance(ms);
    await quiet();
  };
  const jobs = () => (db.prepare('SELECT COUNT(*) AS n FROM push_outbox').get() as { n: number }).n;
  /** Drains: lets every answer go until nothing is held. */
  const drain = async () => {
    while (held.length > 0) await release();
  };
  const stop = async () => {
    await drain();
    await worker.stop();
    transport.close();
    db.close();
  };
  return { db, clock, worker, order, held, logs, crew, notify, release, kick, quiet, advance, jobs, drain, stop };
}

/** One sailor's a1, a2 and a3 queued; a1 sent and stalled after 1 s, so a2 has its slot. */
async function firstStalled(options: Partial<WorkerOptions>) {
  const w = world({ stallMs: 1_000, ...options });
  const a = w.crew('a1', 'a2', 'a3');
  w.notify(a.id);
  await w.kick();
  assert.deepEqual(w.order, ['a1']);
  await w.advance(1_000);
  assert.deepEqual(w.order, ['a1', 'a2'], 'a1 stalled: a2 has its slot');
  return w;
}

test('the outbox is read on a kick and a chunk at a time as the board runs low, so a later account waits its turn only that long', async () => {
  const w = world({ loadChunk: 2 });
  const a = w.crew('a1', 'a2', 'a3', 'a4', 'a5');
  const b = w.crew('b1');
  w.notify(a.id);
  w.notify(b.id);
  await w.kick();
  assert.deepEqual(w.order, ['a1']);
  await w.drain();
  // Read: a1 a2 (the kick), a3 a4 (a2 picked, one left), a5 b1 (a3 picked): a4 was due before b1
  // came on the board, then the two accounts take turns.
  assert.deepEqual(w.order, ['a1', 'a2', 'a3', 'a4', 'b1', 'a5']);
  await w.worker.idle();
  assert.equal(w.jobs(), 0);
  assert.deepEqual(
    w.logs.filter((l) => l.startsWith('error')),
    [],
  );
  await w.stop();
});

test('jobs queued without a kick are not read while the board has room, until the next kick', async () => {
  const w = world({ loadChunk: 2 });
  const a = w.crew('a1');
  const b = w.crew('b1');
  w.notify(a.id);
  await w.kick();
  // Queued by another process (no kick here): this worker's looks after a1 do not read the outbox.
  w.notify(b.id);
  await w.drain();
  await w.worker.idle();
  assert.deepEqual(w.order, ['a1']);
  assert.equal(w.jobs(), 1);
  await w.kick();
  await w.drain();
  assert.deepEqual(w.order, ['a1', 'b1']);
  await w.stop();
});

test('a kick reads its rows at the next look even when the board holds a chunk, but never past the board bound', async () => {
  for (const [boardMax, expected] of [
    [undefined, ['a1', 'a2', 'a3', 'b1', 'a4']],
    [2, ['a1', 'a2', 'a3', 'a4', 'b1']],
  ] as const) {
    const w = world({ loadChunk: 2, ...(boardMax ? { boardMax } : {}) });
    const a = w.crew('a1', 'a2', 'a3', 'a4');
    const b = w.crew('b1');
    w.notify(a.id);
    await w.kick();
    await w.release('a1');
    // a2 in flight; a3 and a4 on the board, a full chunk.
    assert.deepEqual(w.order, ['a1', 'a2']);
    w.notify(b.id);
    await w.kick();
    await w.drain();
    assert.deepEqual(w.order, expected, `board bound ${boardMax}`);
    await w.stop();
  }
});

test('while every due job waits for its account, the outbox is read further, up to the board bound', async () => {
  for (const [boardMax, expected] of [
    [undefined, ['a1', 'b1', 'a2', 'a3', 'a4']],
    [3, ['a1', 'a2', 'b1', 'a3', 'a4']],
  ] as const) {
    const w = world({ loadChunk: 2, concurrency: 2, perHost: 2, perUser: 1, ...(boardMax ? { boardMax } : {}) });
    const a = w.crew('a1', 'a2', 'a3', 'a4');
    const b = w.crew('b1');
    w.notify(a.id);
    w.notify(b.id);
    await w.kick();
    // Bound 3: a1 in flight, a2 a3 a4 read and waiting for account a; b1 left in the outbox.
    if (boardMax) {
      assert.deepEqual(w.order, ['a1']);
      await w.release('a1');
    }
    await w.drain();
    assert.deepEqual(w.order.slice(0, 3), expected.slice(0, 3), `board bound ${boardMax}`);
    assert.deepEqual([...w.order].sort(), [...expected].sort());
    await w.stop();
  }
});

test('a job another process answered while it was on the board is skipped without an error, and the next goes at once', async () => {
  const w = world({ loadChunk: 4 });
  const a = w.crew('a1', 'a2', 'a3');
  w.notify(a.id);
  await w.kick();
  assert.deepEqual(w.order, ['a1']);
  const [second] = w.db.prepare('SELECT id FROM push_outbox ORDER BY id').all().slice(1) as { id: number }[];
  w.db.prepare('DELETE FROM push_outbox WHERE id = ?').run(second!.id);
  await w.release('a1');
  assert.deepEqual(w.order, ['a1', 'a3'], 'a3 sent without the clock moving');
  await w.drain();
  assert.deepEqual(
    w.logs.filter((l) => l.startsWith('error')),
    [],
  );
  await w.stop();
});

test('a stalled delivery gives its stalled shares back when it ends: the next hanging one may stall in turn', async () => {
  const w = await firstStalled({ concurrency: 1, perHost: 1, perUser: 1 });
  await w.release('a1');
  assert.deepEqual(w.order, ['a1', 'a2'], 'a1 was stalled: its end frees no slot, a2 holds the one');
  await w.advance(1_000);
  assert.deepEqual(w.order, ['a1', 'a2', 'a3'], 'a2 stalls as a1 did, a3 has its slot');
  await w.drain();
  await w.quiet();
  assert.equal(w.clock.pending, 0, 'no stall timer left behind');
  await w.stop();
});

test('stalled deliveries are bounded by the account share too: past it a hanging delivery keeps its slot', async () => {
  const w = await firstStalled({ concurrency: 3, perHost: 3, perUser: 1 });
  await w.advance(1_000);
  assert.deepEqual(w.order, ['a1', 'a2'], "a2 may not stall: the account's one stalled share is a1's");
  await w.release('a1');
  assert.deepEqual(w.order, ['a1', 'a2'], "a1 ended: a2 still holds the account's slot");
  await w.release('a2');
  assert.deepEqual(w.order, ['a1', 'a2', 'a3']);
  await w.stop();
});

test('idle() waits for a kick not yet looked at, a delivery in flight, and an answer not yet written', async () => {
  const w = world({ flushDelayMs: 60_000 });
  const a = w.crew('a1');
  w.notify(a.id);
  let settled = 0;
  const watch = () => void w.worker.idle().then(() => settled++);
  w.worker.kick();
  watch();
  await w.quiet();
  assert.deepEqual(w.order, ['a1']);
  watch();
  await w.release('a1');
  assert.equal(w.jobs(), 1, 'answered, not yet written');
  watch();
  await turn();
  assert.equal(settled, 0);
  await w.worker.stop();
  assert.equal(settled, 3);
  assert.equal(w.jobs(), 0);
  await w.stop();
});

test('answers are written together: 2 × concurrency of them at once, the rest after the flush delay', async () => {
  const w = world({ concurrency: 40, perHost: 40, perUser: 40, flushDelayMs: 60_000 });
  const labels = Array.from({ length: 81 }, (_, i) => `d${i}`);
  const a = w.crew(...labels);
  w.notify(a.id);
  await w.kick();
  assert.equal(w.held.length, 40);
  await w.release();
  assert.deepEqual(w.worker.stats, { commits: 0, answers: 0 }, '40 answers wait for the delay');
  assert.equal(w.held.length, 40);
  await w.release();
  assert.deepEqual(w.worker.stats, { commits: 1, answers: 80 }, 'the 80th answer writes the 80');
  await w.release();
  assert.deepEqual(w.worker.stats, { commits: 1, answers: 80 });
  await w.worker.stop();
  assert.deepEqual(w.worker.stats, { commits: 2, answers: 81 });
  assert.equal(w.jobs(), 0);
  await w.stop();
});

test('a retry goes out at its time while another delivery hangs in the only other slot, and a stopped worker leaves no timer', async () => {
  const w = world({ concurrency: 2, perHost: 2, perUser: 2, stallMs: 600_000, flushDelayMs: 0 });
  const a = w.crew('a1', 'a2');
  ps.plan(a.devices[1]!, { status: 429, retryAfter: '10' }, { status: 429, retryAfter: '10' });
  w.notify(a.id);
  await w.kick();
  assert.deepEqual(w.order, ['a1', 'a2']);
  await w.release('a2');
  await waitFor(() => w.worker.stats.answers === 1, 'the 429 written');
  await w.quiet();
  assert.equal(w.clock.pending, 2, "a1's stall timer and the retry's (a2's stall timer went with its answer)");
  await w.advance(9_999);
  assert.deepEqual(w.order, ['a1', 'a2']);
  await w.advance(1);
  assert.deepEqual(w.order, ['a1', 'a2', 'a2']);
  await w.release('a2');
  await waitFor(() => w.worker.stats.answers === 2, 'the second 429 written');
  await w.quiet();
  assert.equal(w.clock.pending, 2, "a1's stall timer and the next retry's");
  await w.release('a1');
  await w.worker.stop();
  assert.equal(w.clock.pending, 0, 'stop() clears the retry timer');
  assert.equal(w.jobs(), 1, "a1's answer written, a2's retry kept for the next start");
  await w.stop();
});

test('answers whose write failed are written with the next batch, which also cancels the try again; stop() arms none', async () => {
  const w = world({ flushDelayMs: 0 });
  const a = w.crew('a1');
  const b = w.crew('b1');
  const c = w.crew('c1');
  w.db.exec("CREATE TRIGGER full BEFORE DELETE ON push_outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  w.notify(a.id);
  await w.kick();
  await w.release('a1');
  await waitFor(() => w.logs.length === 1, 'the failed write logged');
  assert.equal(w.clock.pending, 1, 'the try again in 5 s');
  w.db.exec('DROP TRIGGER full');
  w.notify(b.id);
  await w.kick();
  await w.release('b1');
  await w.worker.idle();
  assert.deepEqual(w.worker.stats, { commits: 1, answers: 2 }, "a1's answer written with b1's");
  assert.equal(w.clock.pending, 0, 'nothing left to try again');
  w.db.exec("CREATE TRIGGER full BEFORE DELETE ON push_outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  w.notify(c.id);
  await w.kick();
  await w.release('c1');
  await waitFor(() => w.logs.length === 2, 'the second failed write logged');
  await w.worker.stop();
  assert.equal(w.logs.length, 3, 'stop() tried once more');
  assert.equal(w.clock.pending, 0, 'and armed no timer after it');
  assert.equal(w.jobs(), 1, "c1's job kept for the next start");
  await w.stop();
});

test('without metrics, every kind of answer is recorded: gone, refused, and out of retries', async () => {
  const w = world({ concurrency: 3, perHost: 3, perUser: 3, retries: 0 });
  const a = w.crew('gone', 'refused', 'failing');
  ps.plan(a.devices[0]!, 410);
  ps.plan(a.devices[1]!, 413);
  ps.plan(a.devices[2]!, 500);
  w.notify(a.id);
  await w.kick();
  await w.release();
  await w.worker.idle();
  assert.equal(w.jobs(), 0);
  assert.deepEqual(w.logs.map((l) => l.split(' endpoint')[0]).sort(), [
    'info push subscription gone, removed',
    'warn push failed after retries; the device is kept and marked failing',
    'warn push refused',
  ]);
  const left = w.db.prepare('SELECT endpoint FROM push_subscriptions').all() as { endpoint: string }[];
  assert.deepEqual(left.map((r) => r.endpoint).sort(), [a.devices[1]!.endpoint, a.devices[2]!.endpoint].sort());
  await w.stop();
});

test('a retry written in one batch after a removed device and a refusal still goes out at its time', async () => {
  const w = world({ concurrency: 3, perHost: 3, perUser: 3, flushDelayMs: 0 });
  const a = w.crew('gone', 'refused', 'busy');
  ps.plan(a.devices[0]!, 410);
  ps.plan(a.devices[1]!, 413);
  ps.plan(a.devices[2]!, { status: 429, retryAfter: '10' });
  w.notify(a.id);
  await w.kick();
  await w.release('gone', 'refused', 'busy');
  await waitFor(() => w.worker.stats.answers === 3, 'the three answers written');
  assert.equal(w.worker.stats.commits, 1, 'in one batch');
  await w.quiet();
  assert.equal(w.clock.pending, 1, "the retry's timer");
  await w.advance(10_000);
  assert.deepEqual(w.order.slice(3), ['busy']);
  await w.stop();
});
