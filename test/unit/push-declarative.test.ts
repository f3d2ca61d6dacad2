// The declarative members (src/push/declarative.ts): what queueing writes, and `navigate`
// made absolute on the origin just before sending, once per payload in a fan-out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { declarative, originStamper, withOrigin } from '../../src/push/declarative.ts';
import { crewChangesMessage, testMessage } from '../../src/push/messages.ts';

const LOGBOOK = '6f1c2a4e-0000-4000-8000-000000000001';
const ORIGIN = 'https://logbook.example.org';

test('declarative(): web_push 8030, notification from the classic members, app_badge, mutable; the classic members kept', () => {
  const classic = crewChangesMessage('de', LOGBOOK, 3);
  assert.deepEqual(declarative(classic, 'de', 7), {
    web_push: 8030,
    notification: {
      title: 'crewbell',
      body: 'Neue Änderungen in einem deiner Logbücher.',
      navigate: `/logbook/${LOGBOOK}`,
      tag: `logbook-${LOGBOOK}`,
      lang: 'de',
    },
    app_badge: 7,
    mutable: true,
    ...classic,
  });
  assert.equal(declarative(testMessage('en'), 'en', 0).notification.navigate, '/settings');
  // A url that is not a path on our origin navigates home.
  for (const url of ['https://evil.example/x', '//evil.example/x', 42, undefined])
    assert.equal(declarative({ ...testMessage('en'), data: { url } }, 'en', 0).notification.navigate, '/');
});

test('withOrigin makes navigate absolute and changes nothing else; other payloads go out as they are', () => {
  const payload = JSON.stringify(declarative(crewChangesMessage('en', LOGBOOK, 1), 'en', 1));
  const stamped = JSON.parse(withOrigin(payload, ORIGIN));
  assert.equal(stamped.notification.navigate, `${ORIGIN}/logbook/${LOGBOOK}`);
  assert.deepEqual(
    { ...stamped, notification: { ...stamped.notification, navigate: 'x' } },
    {
      ...JSON.parse(payload),
      notification: { ...JSON.parse(payload).notification, navigate: 'x' },
    },
  );
  const older = JSON.stringify(testMessage('en'));
  assert.equal(withOrigin(older, ORIGIN), older, 'queued by a crewbell before the declarative message');
  assert.equal(withOrigin(payload, undefined), payload);
  assert.equal(withOrigin('{"web_push": not json', ORIGIN), '{"web_push": not json');
  const odd = JSON.stringify({ web_push: 8030, notification: { navigate: '//evil.example/x' } });
  assert.equal(withOrigin(odd, ORIGIN), odd);
  const done = JSON.stringify({ web_push: 8030, notification: { navigate: `${ORIGIN}/x` } });
  assert.equal(withOrigin(done, ORIGIN), done);
});

test('originStamper stamps as withOrigin does, remembers recent payloads, and follows a new origin', () => {
  let origin: string | undefined;
  const stamp = originStamper(() => origin, 2);
  const payload = JSON.stringify(declarative(testMessage('en'), 'en', 0));
  assert.equal(stamp(payload), payload, 'no origin yet');
  origin = ORIGIN;
  const first = stamp(payload);
  assert.equal(first, withOrigin(payload, ORIGIN));
  assert.equal(stamp(payload), first);
  origin = 'https://other.example.org';
  assert.equal(JSON.parse(stamp(payload)).notification.navigate, 'https://other.example.org/settings');
  // Beyond its size, the oldest is forgotten and made again, still right.
  const others = ['de', 'en'].map((l) => JSON.stringify(declarative(testMessage(l as 'de'), l as 'de', 1)));
  for (const p of others) stamp(p);
  assert.equal(JSON.parse(stamp(payload)).notification.navigate, 'https://other.example.org/settings');
});
