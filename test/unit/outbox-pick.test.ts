// The outbox's pick on a real SQLite file: the due board's turns by host and account, no job
// sent twice while in flight, a crashed worker's jobs sent by the next one, answers recorded
// in a few commits (counted in the WAL file itself), and a hanging endpoint's slots freed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase, transaction, type Db } from '../../src/db.ts';
import { ManualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createVapidSigner } from '../../src/push/authorization.ts';
import { DueBoard } from '../../src/push/due-board.ts';
import { jobsAfter, queueForUser } from '../../src/push/outbox.ts';
import { testMessage } from '../../src/push/messages.ts';
import { createTransport } from '../../src/push/transport.ts';
import { createOutboxWorker } from '../../src/push/worker.ts';
import { freshVapidKeys } from '../helpers/vapid.ts';
import { startPushService, type PushService, type PushServiceDevice } from '../helpers/push-service.ts';
import { waitFor } from '../helpers/server.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'crewbell-pick-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const fresh = () => path.join(dir, `${randomUUID()}.db`);

function fleet(db: Db) {
  const user = (name: string) => {
    const id = randomUUID();
    db.prepare('INSERT INTO users (id, username, created_at) VALUES (?, ?, 0)').run(id, name);
    return id;
  };
  const subscribe = (userId: string, endpoint: string, keys = { p256dh: 'BAAA', auth: 'AAAA' }) =>
    db
      .prepare(
        'INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at) VALUES (?, ?, ?, ?, ?, ?, 0)',
      )
      .run(randomUUID(), userId, endpoint, keys.p256dh, keys.auth, 'en');
  const device = (userId: string, ps: PushService) => {
    const d = ps.createDevice();
    subscribe(userId, d.endpoint, d.subscription.keys);
    return d;
  };
  const notify = (userId: string, now: number) =>
    transaction(db, () => queueForUser(db, userId, (l) => testMessage(l), null, now));
  return { user, subscribe, device, notify };
}

test('the pick takes hosts and accounts in turn, skips those at their share, and keeps id order within one', () => {
  const db = openDatabase(fresh());
  const f = fleet(db);
  const flooder = f.user('flooder');
  for (let i = 0; i < 6; i++) f.subscribe(flooder, `https://fcm.example/send/f${i}`);
  const neighbour = f.user('neighbour');
  f.subscribe(neighbour, 'https://fcm.example/send/n');
  const elsewhere = f.user('elsewhere');
  f.subscribe(elsewhere, 'https://push.example:8443/wpush/e');
  for (const u of [flooder, neighbour, elsewhere]) f.notify(u, 1_000);
  const rows = jobsAfter(db, 0, 100);
  assert.deepEqual(
    [...new Set(rows.map((r) => r.host))],
    ['fcm.example', 'push.example:8443'],
    'the host is stored with the subscription',
  );

  const board = new DueBoard();
  for (const row of rows) board.add(row, 1_000);
  const name = new Map<string, string>([
    [flooder, 'F'],
    [neighbour, 'N'],
    [elsewhere, 'E'],
  ]);
  const picks: string[] = [];
  const all = () => true;
  for (let i = 0; i < 4; i++) picks.push(name.get(board.pick(all, all)!.userId)!);
  // Six of the flooder's jobs were queued first; the neighbour and the other host still come in the first turns.
  assert.deepEqual(picks, ['F', 'E', 'N', 'F']);
  // The flooder at its share: only others; fcm.example at its share: the other host only.
  assert.equal(
    board.pick(all, (u) => u !== flooder),
    undefined,
    'nothing else is due',
  );
  assert.equal(
    board.pick((h) => h !== 'fcm.example', all),
    undefined,
  );
  const ids = [board.pick(all, all)!.id, board.pick(all, all)!.id];
  assert.ok(ids[0]! < ids[1]!, "one account's jobs in id order");
  db.close();
});

test('a job not due yet waits on the board until its time', () => {
  const board = new DueBoard();
  board.add({ id: 2, dueAt: 5_000, userId: 'u', host: 'h' }, 1_000);
  board.add({ id: 1, dueAt: 3_000, userId: 'u', host: 'h' }, 1_000);
  const any = () => true;
  assert.equal(board.pick(any, any), undefined);
  assert.equal(board.nextDueAt(), 3_000);
  board.promote(3_000);
  assert.equal(board.pick(any, any)?.id, 1);
  assert.equal(board.nextDueAt(), 5_000);
});

function startWorker(db: Db, clock: ManualClock, options: { concurrency?: number; timeoutMs?: number } = {}) {
  const signer = createVapidSigner(freshVapidKeys(), 'mailto:skipper@example.org', clock);
  const transport = createTransport({ timeoutMs: options.timeoutMs ?? 120_000, allowInsecure: true });
  const worker = createOutboxWorker(
    { db, clock, log: silentLogger, transport, signer: () => signer },
    { concurrency: options.concurrency ?? 4, retries: 2, retryBaseMs: 1_000, ttlSeconds: 60, random: () => 0.5 },
  );
  return { worker, transport };
}

test('a job in flight is not sent again, however often the worker is kicked or looks again', async () => {
  const ps = await startPushService();
  const db = openDatabase(fresh());
  const clock = new ManualClock(Date.now());
  const { worker, transport } = startWorker(db, clock, { concurrency: 8 });
  try {
    const f = fleet(db);
    const devices: PushServiceDevice[] = [];
    for (let u = 0; u < 3; u++) {
      const sailor = f.user(`s${u}`);
      const device = f.device(sailor, ps);
      ps.plan(device, 'hang');
      devices.push(device);
      f.notify(sailor, clock.now());
    }
    worker.kick();
    await waitFor(() => ps.hanging() === 3, 'three requests held open');
    for (let i = 0; i < 5; i++) {
      worker.kick();
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      devices.map((d) => ps.messages.filter((m) => m.deviceId === d.id).length),
      [1, 1, 1],
    );
  } finally {
    await ps.close();
    await worker.stop();
    transport.close();
    db.close();
  }
});

test('a worker that dies with jobs in flight or answers unrecorded loses none: the next one sends them', async () => {
  const ps = await startPushService();
  const file = fresh();
  const clock = new ManualClock(Date.now());
  const dead = openDatabase(file);
  const first = startWorker(dead, clock);
  const f = fleet(dead);
  const answered: PushServiceDevice[] = [];
  const hanging: PushServiceDevice[] = [];
  for (let u = 0; u < 2; u++) {
    const sailor = f.user(`s${u}`);
    answered.push(f.device(sailor, ps));
    const stuck = f.device(sailor, ps);
    ps.plan(stuck, 'hang');
    hanging.push(stuck);
    f.notify(sailor, clock.now());
  }
  first.worker.kick();
  await waitFor(() => ps.delivered().length === 2 && ps.hanging() === 2, 'two delivered, two held open');
  // The crash: the database goes before the answers' batch is written (50 ms later).
  dead.close();
  const db = openDatabase(file);
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM push_outbox').get() as { n: number }).n, 4);
  for (const d of hanging) ps.plan(d, 201);
  const next = startWorker(db, clock);
  try {
    next.worker.kick();
    await waitFor(
      () => (db.prepare('SELECT COUNT(*) AS n FROM push_outbox').get() as { n: number }).n === 0,
      'the outbox drained by the next worker',
    );
    for (const d of hanging) assert.equal(ps.delivered(d).length, 1);
    // Delivered but not recorded: sent again (a crash means a resend, never a loss).
    for (const d of answered) assert.equal(ps.delivered(d).length, 2);
  } finally {
    await ps.close();
    await first.worker.stop();
    first.transport.close();
    await next.worker.stop();
    next.transport.close();
    db.close();
  }
});

/** Commits in a WAL file: frames whose header holds the database size after the commit. */
function commitsInWal(file: string): number {
  const wal = readFileSync(`${file}-wal`);
  const pageSize = wal.readUInt32BE(8);
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) if (wal.readUInt32BE(at + 4) > 0) commits++;
  return commits;
}

test('the answers of a burst of 32 deliveries are written in a few commits, not 32', async () => {
  const ps = await startPushService();
  const file = fresh();
  const db = openDatabase(file);
  const clock = new ManualClock(Date.now());
  const { worker, transport } = startWorker(db, clock, { concurrency: 32 });
  try {
    const f = fleet(db);
    const users = Array.from({ length: 8 }, (_, u) => f.user(`s${u}`));
    for (const u of users) for (let d = 0; d < 4; d++) f.device(u, ps);
    const before = commitsInWal(file);
    for (const u of users) f.notify(u, clock.now());
    worker.kick();
    await waitFor(
      () => (db.prepare('SELECT COUNT(*) AS n FROM push_outbox').get() as { n: number }).n === 0,
      'the outbox drained',
    );
    assert.equal(ps.delivered().length, 32);
    const commits = commitsInWal(file) - before - users.length;
    assert.ok(commits >= 1 && commits <= 4, `32 answers in ${commits} commits`);
    assert.equal(worker.stats.answers, 32);
  } finally {
    await worker.stop();
    transport.close();
    await ps.close();
    db.close();
  }
});

test('devices behind hanging endpoints do not keep healthy devices at the same push service waiting', async () => {
  const ps = await startPushService();
  const db = openDatabase(fresh());
  const clock = new ManualClock(Date.now());
  // Two in flight per host at most (half of 4); the transport would wait two minutes.
  const { worker, transport } = startWorker(db, clock, { concurrency: 4 });
  try {
    const f = fleet(db);
    for (let u = 0; u < 2; u++) {
      const owner = f.user(`hanging${u}`);
      ps.plan(f.device(owner, ps), 'hang');
      f.notify(owner, clock.now());
    }
    const healthy = Array.from({ length: 3 }, (_, u) => {
      const sailor = f.user(`healthy${u}`);
      const device = f.device(sailor, ps);
      f.notify(sailor, clock.now());
      return device;
    });
    worker.kick();
    await waitFor(() => ps.hanging() === 2, 'both hanging requests sent');
    assert.equal(ps.delivered().length, 0, 'the host is at its share');
    clock.advance(1_000);
    for (const d of healthy) await ps.waitForDelivered(1, d);
    assert.equal(ps.hanging(), 2, 'the stalled requests are still open');
  } finally {
    await ps.close();
    await worker.stop();
    transport.close();
    db.close();
  }
});
