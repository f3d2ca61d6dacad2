// A stolen phone (issue 18): removing a passkey and deleting the account drop the account's
// push devices, so the phone receives none of the owner's pushes any more. Through the real
// app in-process with soft passkeys; `user recover --remove-passkeys` is in e2e/recover.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { withApp, type TestApp } from '../helpers/app.ts';
import type { Client } from '../helpers/client.ts';
import { addPasskey, reauth, signIn, signUp, SoftAuthenticator } from '../helpers/passkey.ts';

async function subscribe(client: Client): Promise<string> {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const res = await client.put('/api/push/subscription', {
    endpoint: `https://fcm.googleapis.com/fcm/send/${randomBytes(12).toString('base64url')}`,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  });
  assert.equal(res.status, 200, res.text);
  return res.body.id;
}

const devicesOf = (app: TestApp, userId: string) =>
  app.query('SELECT id FROM push_subscriptions WHERE user_id = ?', userId).length;

test('removing a passkey drops the push devices of its account; other accounts keep theirs', async () => {
  await withApp({ flags: ['--open-registration'] }, async (app) => {
    const phone = await signUp(app, 'skipper');
    const laptopKey = new SoftAuthenticator(app.origin);
    await addPasskey(phone.client, laptopKey);
    const laptop = await signIn(app, laptopKey);
    const stranger = await signUp(app, 'stranger');
    await subscribe(phone.client);
    await subscribe(laptop.client);
    await subscribe(stranger.client);
    assert.equal(devicesOf(app, phone.user.id), 2);

    await reauth(laptop.client, laptopKey);
    const removed = await laptop.client.delete(`/api/auth/passkeys/${phone.authenticator.credentials[0]!.id}`);
    assert.equal(removed.status, 204, removed.text);
    assert.equal(devicesOf(app, phone.user.id), 0, 'the stolen phone receives nothing more');
    assert.equal(devicesOf(app, stranger.user.id), 1);
    // The laptop, still signed in, subscribes again as the app does at every start.
    await subscribe(laptop.client);
    assert.equal(devicesOf(app, phone.user.id), 1);
  });
});

test('deleting the account drops its push devices', async () => {
  await withApp({ flags: ['--open-registration'] }, async (app) => {
    const skipper = await signUp(app, 'skipper');
    await subscribe(skipper.client);
    await reauth(skipper.client, skipper.authenticator);
    assert.equal((await skipper.client.delete('/api/auth/account')).status, 204);
    assert.equal(devicesOf(app, skipper.user.id), 0);
    assert.deepEqual(app.query('SELECT id FROM push_subscriptions'), []);
  });
});
