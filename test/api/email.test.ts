// Email when push can't reach someone, against a real SMTP relay on 127.0.0.1 (smtp-server,
// STARTTLS and AUTH required) with the real app in-process: the verification link, the
// fallback email (headers, both parts, the link, the one-click unsubscribe), its throttle, a
// relay that refuses and one that hangs (retried, nothing lost), and who may use each route.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { waitFor } from '../helpers/server.ts';
import { startApp, withApp, type TestApp } from '../helpers/app.ts';
import { ciphertext, crewAboard } from '../helpers/crew.ts';
import { startRelay, type ReceivedEmail, type TestRelay } from '../helpers/smtp.ts';
import { startPushService } from '../helpers/push-service.ts';
import { requestAddress, verifyAddress } from '../../src/email/addresses.ts';
import { Client } from '../helpers/client.ts';
import type { TestUser } from '../helpers/accounts.ts';

let server: TestApp;
let relay: TestRelay;
before(async () => {
  relay = await startRelay();
  server = startApp({
    flags: [
      '--push-allow-insecure',
      '--notify-debounce',
      '50ms',
      '--notify-throttle',
      '100ms',
      '--smtp-url',
      relay.urlInsecure,
      '--mail-from',
      'Logbook <bell@boat.example>',
      '--email-retry-base',
      '100ms',
      '--email-timeout',
      '500ms',
    ],
  });
});
after(async () => {
  await server.stop();
  server.cleanup();
  await relay.close();
});

const anonymous = () => new Client(server.url, server.origin, server.fetch);
const linkIn = (text: string, path: string) => {
  const m = new RegExp(`${server.origin.replace(/[.]/g, '\\.')}${path}[^\\s"<>]*`).exec(text);
  assert.ok(m, `a link to ${path} in:\n${text}`);
  return m[0];
};

/** A header as it was sent (mailparser folds the List-* ones into one object). */
const header = (mail: ReceivedEmail, name: string) =>
  mail.mail.headerLines
    .find((h) => h.key === name)
    ?.line.slice(name.length + 1)
    .trim() ?? '';

/** Emails about changes (not verification links) that reached an address. */
const changeEmailsTo = (address: string) =>
  relay.received.filter(
    (m) => m.to[0] === address && m.mail.subject === 'crewbell: new changes in one of your logbooks',
  );

/** Gives and verifies an address through the routes and the mailed link; returns that email. */
async function verifiedEmail(who: TestUser, address: string, lang = 'en'): Promise<ReceivedEmail> {
  const before = relay.received.length;
  const res = await who.client.put('/api/account/email', { email: address }, { headers: { 'accept-language': lang } });
  assert.equal(res.status, 202, res.text);
  assert.deepEqual(res.body, { email: address, verified: false });
  const mail = await waitFor(
    () => relay.received.slice(before).find((m) => m.to[0] === address),
    `the verification email to ${address}`,
  );
  const link = linkIn(mail.mail.text ?? '', '/verify-email\\?token=');
  const token = new URL(link).searchParams.get('token')!;
  const verified = await anonymous().post('/api/account/email/verify', { token });
  assert.equal(verified.status, 200, verified.text);
  assert.deepEqual(verified.body, { email: address, verified: true });
  return mail;
}

async function write(who: TestUser, logbookId: string): Promise<void> {
  const res = await who.client.post('/api/sync/push', {
    items: [{ logbookId, entityId: randomUUID(), action: 'create', payload: ciphertext() }],
  });
  assert.equal(res.body.results[0].status, 'success', res.text);
}

async function wantsChanges(who: TestUser, logbookId: string): Promise<void> {
  assert.equal((await who.client.put('/api/push/prefs', { collaboratorChangesEnabled: true })).status, 200);
  assert.equal((await who.client.put(`/api/logbooks/${logbookId}/notifications`, { enabled: true })).status, 200);
}

test("an address counts once verified: the link is mailed in the asker's language, over STARTTLS with AUTH, and works once", async () => {
  const { mate } = await crewAboard(server);
  assert.deepEqual((await mate.client.get('/api/account/email')).body, { email: null });
  const mail = await verifiedEmail(mate, 'mate@boat.example', 'de-DE,de;q=0.9');
  assert.deepEqual(mail.to, ['mate@boat.example']);
  assert.equal(mail.from, 'bell@boat.example');
  assert.equal(mail.mail.subject, 'crewbell: Bestätige deine E-Mail-Adresse');
  assert.match(mail.mail.text ?? '', /Bestätige diese Adresse/);
  assert.match(String(mail.mail.html), /<a href="http:\/\/localhost:8080\/verify-email\?token=/);
  assert.equal(mail.mail.headers.get('list-unsubscribe'), undefined, 'a verification is not a list');
  assert.ok(relay.secured > 0 && relay.authenticated > 0, 'STARTTLS and AUTH were used');
  assert.deepEqual((await mate.client.get('/api/account/email')).body, { email: 'mate@boat.example', verified: true });
  const token = new URL(linkIn(mail.mail.text ?? '', '/verify-email\\?token=')).searchParams.get('token');
  const again = await anonymous().post('/api/account/email/verify', { token });
  assert.equal(again.status, 400);
  assert.equal(again.body.error.code, 'invalid_token');
  // The same verified address again mails nothing and stays verified; a new one starts over.
  const count = relay.received.length;
  assert.equal(
    (await mate.client.put('/api/account/email', { email: 'mate@boat.example', locale: 'german' })).status,
    400,
    'a locale is a language code',
  );
  assert.deepEqual((await mate.client.put('/api/account/email', { email: 'mate@boat.example' })).body, {
    email: 'mate@boat.example',
    verified: true,
  });
  // The app's language in the body beats Accept-Language.
  assert.equal(
    (
      await mate.client.put(
        '/api/account/email',
        { email: 'other@boat.example', locale: 'en' },
        { headers: { 'accept-language': 'de' } },
      )
    ).status,
    202,
  );
  assert.deepEqual((await mate.client.get('/api/account/email')).body, {
    email: 'other@boat.example',
    verified: false,
  });
  const other = await waitFor(() => relay.received.slice(count).find((m) => m.to[0] === 'other@boat.example'));
  assert.equal(other.mail.subject, 'crewbell: confirm your email address');
  assert.equal(relay.received.length, count + 1);
  assert.equal((await mate.client.delete('/api/account/email')).status, 204);
  assert.deepEqual((await mate.client.get('/api/account/email')).body, { email: null });
});

test('no device: one email with the generic text and the link, both parts, one-click unsubscribe; at most one per throttle; never content', async () => {
  const crew = await crewAboard(server);
  await verifiedEmail(crew.mate, 'crew-fallback@boat.example');
  await wantsChanges(crew.mate, crew.logbook.id);
  const before = relay.received.length;
  await write(crew.skipper, crew.logbook.id);
  const mail = (await relay.waitFor(before + 1)).at(-1)!;
  assert.deepEqual(mail.to, ['crew-fallback@boat.example']);
  assert.equal(mail.mail.subject, 'crewbell: new changes in one of your logbooks');
  const text = mail.mail.text ?? '';
  const html = String(mail.mail.html);
  assert.match(text, /New changes in one of your logbooks\./);
  assert.match(html, /New changes in one of your logbooks\./);
  assert.equal(linkIn(text, `/logbook/${crew.logbook.id}`), `${server.origin}/logbook/${crew.logbook.id}`);
  assert.match(html, new RegExp(`href="${server.origin}/logbook/${crew.logbook.id}"`));
  for (const secret of [crew.skipper.username, crew.mate.username])
    assert.ok(!`${mail.mail.subject}${text}${html}`.includes(secret), `no names in the email (${secret})`);
  const unsubscribe = /^<([^>]+)>$/.exec(header(mail, 'list-unsubscribe'))?.[1];
  assert.ok(unsubscribe?.startsWith(`${server.origin}/api/email/unsubscribe?token=`), String(unsubscribe));
  assert.equal(header(mail, 'list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
  assert.ok(text.includes(unsubscribe!), 'the text carries the link too');

  // Within --email-throttle (1 h): the next due notification sends no second email.
  await write(crew.skipper, crew.logbook.id);
  assert.equal(
    server.query('SELECT 1 FROM notify_state WHERE user_id = ? AND due_at IS NOT NULL', crew.mate.id).length,
    1,
    'pending',
  );
  await waitFor(
    () => server.query('SELECT 1 FROM notify_state WHERE user_id = ? AND due_at IS NULL', crew.mate.id).length === 1,
    'the second notification to fall due',
  );
  await server.emailWorker!.idle();
  assert.equal(server.query('SELECT 1 FROM email_outbox WHERE user_id = ?', crew.mate.id).length, 0);
  assert.equal(changeEmailsTo('crew-fallback@boat.example').length, 1);

  // RFC 8058: the mail client POSTs the form with no session and no Origin.
  const url = new URL(unsubscribe!);
  const res = await server.fetch(url.pathname + url.search, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
  });
  assert.equal(res.status, 200);
  assert.equal((await crew.mate.client.get('/api/push/prefs')).body.emailWhenNoPush, false);
  const page = await server.fetch(url.pathname + url.search);
  assert.equal(page.status, 200, 'the GET shows a button, and changes nothing by itself');
  const unknown = await server.fetch('/api/email/unsubscribe?token=nope', { method: 'POST' });
  assert.equal(unknown.status, 404);
});

test('a member with a device that takes pushes gets the push, not an email; once every device fails for good, an email', async () => {
  const crew = await crewAboard(server);
  await verifiedEmail(crew.skipper, 'skipper-has-phone@boat.example');
  const phone = {
    endpoint: `http://127.0.0.1:9/push/${randomUUID()}`,
    keys: {
      p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM',
      auth: 'tBHItJI5svbpez7KI4CCXg',
    },
  };
  assert.equal((await crew.skipper.client.put('/api/push/subscription', phone)).status, 200);
  await crew.skipper.client.put('/api/push/prefs', { collaboratorChangesEnabled: true });
  await write(crew.mate, crew.logbook.id);
  await waitFor(
    () =>
      server.query(
        'SELECT 1 FROM push_outbox o JOIN push_subscriptions s ON s.id = o.subscription_id WHERE s.user_id = ?',
        crew.skipper.id,
      ).length > 0 ||
      server.query('SELECT 1 FROM notify_state WHERE user_id = ? AND last_sent_at IS NOT NULL', crew.skipper.id)
        .length > 0,
    'the push to be queued',
  );
  await server.emailWorker!.idle();
  assert.equal(changeEmailsTo('skipper-has-phone@boat.example').length, 0, 'only the verification');

  // Every device refused for good (a 4xx that is not 404/410/429): the next notification is an email.
  server.query('UPDATE push_subscriptions SET permanent_failures = 1 WHERE user_id = ?', crew.skipper.id);
  await waitFor(
    () =>
      server.query('SELECT 1 FROM notify_state WHERE user_id = ? AND due_at IS NOT NULL', crew.skipper.id).length === 0,
    'the first notification to be done',
  );
  await write(crew.mate, crew.logbook.id);
  await waitFor(() => changeEmailsTo('skipper-has-phone@boat.example').length === 1, 'the email instead of the push');
});

test('a push the push service answers 410 Gone, on the only device: the email follows; a delivered push on another member: none', async () => {
  const ps = await startPushService();
  try {
    const crew = await crewAboard(server);
    // Verified straight in the database: the verify route's rate limit is the other tests' budget.
    for (const [who, address] of [
      [crew.mate, 'mate-phone-gone@boat.example'],
      [crew.deckhand, 'deckhand-phone-works@boat.example'],
    ] as const) {
      const link = requestAddress(server.deps.db, who.id, address, 'en', Date.now());
      assert.ok('token' in link);
      verifyAddress(server.deps.db, link.token, Date.now());
    }
    await wantsChanges(crew.mate, crew.logbook.id);
    await wantsChanges(crew.deckhand, crew.logbook.id);
    const [goneDevice, working] = [ps.createDevice(), ps.createDevice()];
    assert.equal((await crew.mate.client.put('/api/push/subscription', goneDevice.subscription)).status, 200);
    assert.equal((await crew.deckhand.client.put('/api/push/subscription', working.subscription)).status, 200);
    ps.plan(goneDevice, 410);
    await write(crew.skipper, crew.logbook.id);
    await ps.waitForDelivered(1, working);
    await waitFor(() => changeEmailsTo('mate-phone-gone@boat.example').length === 1, 'the email after the 410');
    const [tried] = ps.messages.filter((m) => m.deviceId === goneDevice.id);
    assert.equal(tried?.answer, 410, 'the push was tried first');
    assert.equal(tried?.payload.data.logbookId, crew.logbook.id);
    assert.equal(server.query('SELECT 1 FROM push_subscriptions WHERE user_id = ?', crew.mate.id).length, 0);
    await server.emailWorker!.idle();
    assert.equal(changeEmailsTo('deckhand-phone-works@boat.example').length, 0, 'delivered: no email');
  } finally {
    await ps.close();
  }
});

test('a relay that refuses (451) and one that hangs: the email is retried with backoff and arrives once the relay works', async () => {
  for (const mode of ['refuse', 'hang'] as const) {
    const crew = await crewAboard(server);
    const address = `${mode}@boat.example`;
    await verifiedEmail(crew.mate, address);
    await wantsChanges(crew.mate, crew.logbook.id);
    relay.mode = mode;
    await write(crew.skipper, crew.logbook.id);
    const row = await waitFor(
      () =>
        server.query<{ attempts: number; last_error: string }>(
          'SELECT attempts, last_error FROM email_outbox WHERE user_id = ? AND attempts > 0',
          crew.mate.id,
        )[0],
      `a failed attempt (${mode})`,
    );
    assert.ok(row.last_error.length > 0, row.last_error);
    assert.equal(changeEmailsTo(address).length, 0);
    relay.mode = 'accept';
    await waitFor(() => changeEmailsTo(address).length === 1, `the email after the ${mode}`, 15_000).catch((err) => {
      throw new Error(`${err.message}\n${server.output()}`);
    });
    await waitFor(
      () => server.query('SELECT 1 FROM email_outbox WHERE user_id = ?', crew.mate.id).length === 0,
      'the outbox to empty',
    );
  }
  const metrics = await (await server.fetch('/metrics')).text();
  assert.match(metrics, /crewbell_email_sent_total\{result="retry"\} [1-9]/);
  assert.match(metrics, /crewbell_email_sent_total\{result="success"\} [1-9]/);
});

test('who may use the email routes: signed in for the address, nobody for verify and unsubscribe; CSRF and bad bodies refused', async () => {
  const { skipper, mate, deckhand, stranger } = await crewAboard(server);
  const anyone = anonymous();
  for (const [method, path] of [
    ['GET', '/api/account/email'],
    ['PUT', '/api/account/email'],
    ['DELETE', '/api/account/email'],
  ] as const) {
    const res = await anyone.request(method, path, method === 'PUT' ? { email: 'a@b.example' } : undefined);
    assert.equal(res.status, 401, `${method} ${path} without a session`);
    for (const who of [skipper, mate, deckhand, stranger]) {
      const ok = await who.client.request(
        method,
        path,
        method === 'PUT' ? { email: `${who.username}@b.example` } : undefined,
      );
      assert.ok([200, 202, 204].includes(ok.status), `${method} ${path} as ${who.username}: ${ok.text}`);
    }
  }
  // Each member sees only their own address.
  await mate.client.put('/api/account/email', { email: 'mine@b.example' });
  assert.deepEqual((await deckhand.client.get('/api/account/email')).body, { email: null });
  const csrf = await mate.client.put(
    '/api/account/email',
    { email: 'x@b.example' },
    { origin: 'https://evil.example' },
  );
  assert.equal(csrf.status, 403);
  assert.equal(csrf.body.error.code, 'csrf');
  for (const email of [
    'no-at-sign',
    'a@b',
    `${'x'.repeat(250)}@b.example`,
    'a b@c.example',
    'x@y.example>\r\nBcc: z@z.example',
  ])
    assert.equal((await mate.client.put('/api/account/email', { email })).status, 400, email);
  assert.equal((await anyone.post('/api/account/email/verify', { token: 'short' })).status, 400);
  assert.equal(
    (await anyone.post('/api/account/email/verify', { token: 'x'.repeat(43) })).body.error.code,
    'invalid_token',
  );

  // Without --smtp-url: 409 email_not_configured, but an address can still be removed.
  await withApp({}, async (plain) => {
    const u = plain.user('noemail');
    for (const res of [
      await u.client.get('/api/account/email'),
      await u.client.put('/api/account/email', { email: 'a@b.example' }),
      await plain.anonymous().post('/api/account/email/verify', { token: 'x'.repeat(43) }),
    ]) {
      assert.equal(res.status, 409, res.text);
      assert.equal(res.body.error.code, 'email_not_configured');
    }
    assert.equal((await u.client.delete('/api/account/email')).status, 204);
  });
});

test('deleting the account (DELETE /api/auth/account) removes the address and its queued emails', async () => {
  const { stranger } = await crewAboard(server);
  await verifiedEmail(stranger, 'leaving@boat.example');
  assert.equal(server.query('SELECT 1 FROM email_addresses WHERE user_id = ?', stranger.id).length, 1);
  server.query(
    "INSERT INTO email_outbox (user_id, kind, path, next_attempt_at, created_at) VALUES (?, 'test', '/settings', 9e15, 0)",
    stranger.id,
  );
  // As a passkey confirmation a moment ago would leave the session.
  server.query('UPDATE sessions SET reverified_at = ? WHERE user_id = ?', Date.now(), stranger.id);
  const res = await stranger.client.delete('/api/auth/account');
  assert.equal(res.status, 204, res.text);
  assert.equal(server.query('SELECT 1 FROM email_addresses WHERE user_id = ?', stranger.id).length, 0);
  assert.equal(server.query('SELECT 1 FROM email_outbox WHERE user_id = ?', stranger.id).length, 0);
});
