// The push admin commands as an operator runs them: vapid generate/show, push test,
// subscriptions list/prune, in this process against a real data dir, the in-process app and
// the local push service.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { tempDir } from '../helpers/server.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { cli } from '../helpers/cli.ts';
import { createUserWithSession } from '../helpers/accounts.ts';
import { startPushService, type PushService } from '../helpers/push-service.ts';
import { openDatabase } from '../../src/db.ts';
import { checkVapid } from '../../src/push/vapid.ts';

let ps: PushService;
before(async () => {
  ps = await startPushService();
});
after(() => ps.close());

test('vapid generate creates keys once (refuses to replace without --force); vapid show prints the public key', async () => {
  const dir = tempDir();
  const made = await cli(['vapid', 'generate', '--data-dir', dir]);
  assert.equal(made.code, 0, made.stderr);
  const publicKey = made.stdout.trim();
  assert.equal(Buffer.from(publicKey, 'base64url').length, 65);
  assert.equal(statSync(path.join(dir, 'secret.key')).mode & 0o777, 0o600);

  const again = await cli(['vapid', 'generate', '--data-dir', dir]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /--force/);
  const shown = await cli(['vapid', 'show', '--data-dir', dir]);
  assert.equal(shown.stdout.trim(), publicKey);

  const forced = await cli(['vapid', 'generate', '--force', '--data-dir', dir]);
  assert.equal(forced.code, 0);
  assert.notEqual(forced.stdout.trim(), publicKey);
  assert.equal((await cli(['vapid', 'show', '--data-dir', dir])).stdout.trim(), forced.stdout.trim());

  // serve hands out the same key.
  const server = startApp({ dataDir: dir });
  try {
    const res = await server.fetch(`${server.url}/api/push/vapid-public-key`);
    assert.equal(((await res.json()) as { publicKey: string }).publicKey, forced.stdout.trim());
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('CREWBELL_SECRET_KEY replaces secret.key; the wrong one is reported without key material', async () => {
  const dir = tempDir();
  const key = randomBytes(32).toString('base64url');
  const made = await cli(['vapid', 'generate', '--data-dir', dir], { env: { CREWBELL_SECRET_KEY: key } });
  assert.equal(made.code, 0, made.stderr);
  assert.equal(existsSync(path.join(dir, 'secret.key')), false);
  assert.equal((await cli(['vapid', 'show', '--data-dir', dir], { env: { CREWBELL_SECRET_KEY: key } })).code, 0);
  const wrong = await cli(['vapid', 'show', '--data-dir', dir], {
    env: { CREWBELL_SECRET_KEY: randomBytes(32).toString('hex') },
  });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /cannot be opened/);
  const bad = await cli(['vapid', 'show', '--data-dir', dir], { env: { CREWBELL_SECRET_KEY: 'short' } });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /32 bytes/);

  const db = openDatabase(path.join(dir, 'crewbell.db'));
  try {
    assert.deepEqual(checkVapid(db, dir, { CREWBELL_SECRET_KEY: key }), []);
    assert.equal(checkVapid(db, dir, {}).length, 1, 'no secret at all is a problem');
  } finally {
    db.close();
  }
});

test('serve refuses an @localhost VAPID subject and needs one for an https origin', async () => {
  const dir = tempDir();
  const local = await cli(['serve', '--data-dir', dir, '--port', '0', '--vapid-subject', 'mailto:admin@localhost']);
  assert.equal(local.code, 2);
  assert.match(local.stderr, /localhost/);
  const https = await cli(['serve', '--data-dir', dir, '--port', '0', '--origin', 'https://logbook.example.org']);
  assert.equal(https.code, 2);
  assert.match(https.stderr, /--vapid-subject/);
});

test('push test --user prints one line per device: ok, gone (removed), failed; subscriptions list/prune', async () => {
  const server = startApp({ flags: ['--push-allow-insecure'] });
  try {
    const skipper = createUserWithSession(server, `skipper${randomUUID().slice(0, 6)}`);
    const mate = createUserWithSession(server, `mate${randomUUID().slice(0, 6)}`);
    const ok = ps.createDevice({ locale: 'de' });
    const gone = ps.createDevice();
    const broken = ps.createDevice();
    const mates = ps.createDevice();
    for (const d of [ok, gone, broken])
      assert.equal((await skipper.client.put('/api/push/subscription', d.subscription)).status, 200);
    assert.equal((await mate.client.put('/api/push/subscription', mates.subscription)).status, 200);
    ps.plan(gone, 410);
    ps.plan(broken, 413);
    // The app's worker shares this process and the outbox, and its first look (kicked at its
    // start) comes in the same turn as the command's: workers claim jobs only in memory, so
    // both would send the test. Stopped, it leaves the outbox to the command, as an idle
    // server process does.
    await server.stop();

    const listed = await cli(['subscriptions', 'list', '--data-dir', server.dataDir]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout.trim().split('\n').length, 1 + 4);
    assert.ok(!listed.stdout.includes(ok.id), 'endpoints truncated');

    const sent = await cli([
      'push',
      'test',
      '--user',
      skipper.username,
      '--push-allow-insecure',
      '--data-dir',
      server.dataDir,
      '--title',
      'Ahoy',
    ]);
    assert.equal(sent.code, 1, `a failed device makes the exit status 1: ${sent.stdout}`);
    const lines = sent.stdout.trim().split('\n');
    assert.equal(lines.length, 3);
    const lineFor = (id: string) => lines.find((l) => l.includes(id.slice(-8)))!;
    assert.match(lineFor(ok.id), / ok$/);
    assert.match(lineFor(gone.id), / gone \(removed\)$/);
    assert.match(lineFor(broken.id), / failed: the push service refused the message as too large \(HTTP 413\)$/);
    const [m] = ps.delivered(ok);
    assert.equal(m!.payload.title, 'Ahoy');
    assert.equal(m!.payload.tag, 'test');
    assert.match(m!.payload.body, /Testbenachrichtigung/);
    // Declarative too, navigating to settings on the origin serve would use (no CREWBELL_ORIGIN here).
    assert.equal(m!.payload.web_push, 8030);
    assert.equal(m!.payload.notification.title, 'Ahoy');
    assert.equal(m!.payload.notification.lang, 'de');
    assert.equal(m!.payload.notification.navigate, 'http://localhost:8080/settings');
    assert.equal(ps.messages.filter((x) => x.deviceId === mates.id).length, 0, '--user sends to that user only');
    assert.deepEqual(ps.rejected, []);

    const mine = await cli(['subscriptions', 'list', '--user', skipper.username, '--data-dir', server.dataDir]);
    assert.equal(mine.stdout.trim().split('\n').length, 1 + 2, 'the gone device was removed');

    const everyone = await cli(['push', 'test', '--all', '--push-allow-insecure', '--data-dir', server.dataDir]);
    assert.equal(everyone.code, 0, everyone.stdout);
    assert.equal(everyone.stdout.trim().split('\n').length, 3, "every remaining device, the mate's included");
    assert.equal(ps.delivered(mates).length, 1);

    const usage = await cli(['push', 'test', '--data-dir', server.dataDir]);
    assert.equal(usage.code, 2);
    const unknown = await cli(['push', 'test', '--user', 'nobody', '--data-dir', server.dataDir]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no user named "nobody"/);

    // Back-date one device's last use and the last time its app was opened: prune removes only that one.
    const db = new DatabaseSync(path.join(server.dataDir, 'crewbell.db'));
    db.exec('PRAGMA busy_timeout = 5000');
    db.prepare('UPDATE push_subscriptions SET last_used_at = ?, last_seen_at = ? WHERE endpoint = ?').run(
      Date.now() - 31 * 86_400_000,
      Date.now() - 31 * 86_400_000,
      ok.endpoint,
    );
    db.close();
    const kept = await cli(['subscriptions', 'prune', '--data-dir', server.dataDir]);
    assert.equal(kept.stdout.trim(), 'removed 0 subscriptions unused for 60d');
    const pruned = await cli(['subscriptions', 'prune', '--older-than', '30d', '--data-dir', server.dataDir]);
    assert.equal(pruned.stdout.trim(), 'removed 1 subscription unused for 30d');
    const left = await cli(['subscriptions', 'list', '--user', skipper.username, '--data-dir', server.dataDir]);
    assert.equal(left.stdout.trim().split('\n').length, 1 + 1);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('push test goes through the outbox: a temporary failure is reported and not tried again, while a notification already waiting keeps its retries', async () => {
  const server = startApp({ flags: ['--push-allow-insecure'] });
  try {
    const skipper = createUserWithSession(server, `skipper${randomUUID().slice(0, 6)}`);
    const mate = createUserWithSession(server, `mate${randomUUID().slice(0, 6)}`);
    const busy = ps.createDevice();
    const matesPhone = ps.createDevice();
    assert.equal((await skipper.client.put('/api/push/subscription', busy.subscription)).status, 200);
    assert.equal((await mate.client.put('/api/push/subscription', matesPhone.subscription)).status, 200);
    await server.stop();
    // A crew-change notification the stopped server left waiting for the mate's phone.
    const db = new DatabaseSync(path.join(server.dataDir, 'crewbell.db'));
    const mateSub = db.prepare('SELECT id FROM push_subscriptions WHERE endpoint = ?').get(matesPhone.endpoint)!.id;
    db.prepare(
      `INSERT INTO push_outbox (subscription_id, payload, topic, urgency, attempts, next_attempt_at, created_at) VALUES (?, '{"title":"crewbell"}', 'lb1', 'normal', 0, 0, 0)`,
    ).run(mateSub);
    db.close();
    ps.plan(busy, 503);
    ps.plan(matesPhone, 503);

    const sent = await cli([
      'push',
      'test',
      '--user',
      skipper.username,
      '--push-allow-insecure',
      '--data-dir',
      server.dataDir,
    ]);
    assert.equal(sent.code, 1, sent.stderr);
    assert.match(
      sent.stdout.trim(),
      / failed: the push service had trouble \(HTTP 503\) \(temporary; try again later\)$/,
    );
    assert.equal(sent.stdout.trim().split('\n').length, 1, 'a line for the chosen devices only');
    assert.equal(
      ps.messages.filter((m) => m.deviceId === matesPhone.id).length,
      1,
      'the same worker delivers what was waiting',
    );

    const after = new DatabaseSync(path.join(server.dataDir, 'crewbell.db'));
    const jobs = after.prepare('SELECT subscription_id AS sub, attempts, next_attempt_at AS at FROM push_outbox').all();
    after.close();
    // The test is now or never; the waiting notification is postponed for its next try, as the server would.
    assert.deepEqual(
      jobs.map((j) => [j.sub, j.attempts]),
      [[mateSub, 1]],
    );
    assert.ok((jobs[0]!.at as number) > Date.now() - 60_000);
  } finally {
    server.cleanup();
  }
});

test('serve prunes subscriptions unused for --subscription-max-age (on start, then daily)', async () => {
  const first = startApp({ flags: ['--push-allow-insecure'] });
  let second: TestApp | undefined;
  try {
    const sailor = createUserWithSession(first, `sailor${randomUUID().slice(0, 6)}`);
    const stale = ps.createDevice();
    const fresh = ps.createDevice();
    for (const d of [stale, fresh])
      assert.equal((await sailor.client.put('/api/push/subscription', d.subscription)).status, 200);
    await first.stop();
    const db = new DatabaseSync(path.join(first.dataDir, 'crewbell.db'));
    // Made and last opened 61 days ago (an app opened since would keep it).
    db.prepare('UPDATE push_subscriptions SET created_at = ?, last_seen_at = ? WHERE endpoint = ?').run(
      Date.now() - 61 * 86_400_000,
      Date.now() - 61 * 86_400_000,
      stale.endpoint,
    );
    db.close();
    second = startApp({ dataDir: first.dataDir, flags: ['--push-allow-insecure'] });
    const check = second.db();
    const left = check
      .prepare('SELECT endpoint FROM push_subscriptions')
      .all()
      .map((r) => r.endpoint);
    check.close();
    assert.deepEqual(left, [fresh.endpoint]);
  } finally {
    if (second) await second.stop();
    first.cleanup();
  }
});

test('push test on a terminal draws a progress bar, clears it for each result line, and leaves no bar behind', async () => {
  const server = startApp({ flags: ['--push-allow-insecure'] });
  try {
    const skipper = createUserWithSession(server, `skipper${randomUUID().slice(0, 6)}`);
    const devices = [ps.createDevice(), ps.createDevice(), ps.createDevice()];
    for (const d of devices)
      assert.equal((await skipper.client.put('/api/push/subscription', d.subscription)).status, 200);
    ps.plan(devices[2]!, 413);
    await server.stop();
    const { code, stdout: screen } = await cli(
      ['push', 'test', '--user', skipper.username, '--push-allow-insecure', '--data-dir', server.dataDir],
      { isTTY: true },
    );
    const lines = screen
      .split('\n')
      .slice(0, -1)
      .map((l) => l.replace(/^.*\r\x1b\[K/, ''));
    assert.equal(code, 1, 'one device failed');
    const bar = (done: number) => `[${'#'.repeat(Math.round((done / 3) * 24)).padEnd(24)}] ${done}/3`;
    // Starts at 0/3, then after each result line the bar is redrawn with one more done.
    assert.ok(screen.startsWith(`\r\x1b[K${bar(0)}`), JSON.stringify(screen.slice(0, 60)));
    for (const done of [1, 2, 3])
      assert.ok(screen.includes(`\n\r\x1b[K${bar(done)}`), `bar at ${done}/3 in ${JSON.stringify(screen)}`);
    // Every result line starts on a cleared line, and the last bar is wiped at the end.
    assert.equal(screen.split('\r\x1b[K').length - 1, 1 + 3 + 3 + 1);
    assert.ok(screen.endsWith(`${bar(3)}\r\x1b[K`));
    assert.equal(lines.length, 3);
    assert.equal(lines.filter((l) => / ok$/.test(l)).length, 2);
    assert.equal(lines.filter((l) => / failed: .*\(HTTP 413\)$/.test(l)).length, 1);

    // Not a terminal: the same command prints the result lines and nothing else.
    const piped = await cli([
      'push',
      'test',
      '--user',
      skipper.username,
      '--push-allow-insecure',
      '--data-dir',
      server.dataDir,
    ]);
    assert.equal(piped.code, 0);
    assert.doesNotMatch(piped.stdout, /\x1b|\r|\[#/);
    assert.equal(piped.stdout.trim().split('\n').length, 3);
  } finally {
    await server.stop();
    server.cleanup();
  }
});
