// Email's pieces without a relay: the flags and their CREWBELL_* twins, what an email says in
// each language (both parts, the link, RFC 8058 headers, HTML escaped), and the address rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v from 'valibot';
import { defaultMailFrom, serveConfig, serveFlags, UsageError } from '../../src/config.ts';
import { parseArgs } from '../../src/cli/args.ts';
import { composeEmail } from '../../src/email/compose.ts';
import { EMAIL_TEXTS, emailLocale } from '../../src/email/texts.ts';
import { SERVER_LANGS } from '../../src/texts/index.ts';
import { LANGS } from '../../src/wire/languages.ts';
import { EmailAddress } from '../../src/wire/notify.ts';

const config = (argv: string[], env: Record<string, string> = {}) =>
  serveConfig(parseArgs(argv, serveFlags, env).values);

test('--smtp-url, --mail-from and --email-throttle have CREWBELL_* twins, defaults, and refuse bad values by name', () => {
  const plain = config([]);
  assert.equal(plain.smtpUrl, undefined, 'no relay: no email');
  assert.equal(plain.emailThrottleMs, 3_600_000);
  assert.equal(defaultMailFrom('https://logbook.example.org'), 'crewbell <crewbell@logbook.example.org>');
  const env = {
    CREWBELL_SMTP_URL: 'smtps://bell:pw@mail.example.org:465',
    CREWBELL_MAIL_FROM: 'Boat <bell@example.org>',
    CREWBELL_EMAIL_THROTTLE: '30m',
  };
  const fromEnv = config([], env);
  assert.equal(fromEnv.smtpUrl, 'smtps://bell:pw@mail.example.org:465');
  assert.equal(fromEnv.mailFrom, 'Boat <bell@example.org>');
  assert.equal(fromEnv.emailThrottleMs, 1_800_000);
  assert.equal(config(['--email-throttle', '2h'], env).emailThrottleMs, 7_200_000, 'the flag wins');
  assert.throws(
    () => config(['--smtp-url', 'http://mail.example.org']),
    (e: Error) => e instanceof UsageError && /--smtp-url/.test(e.message),
  );
  assert.throws(() => config(['--smtp-url', 'smtp://']), /--smtp-url/);
  assert.throws(() => config(['--mail-from', 'Boat <bell>']), /--mail-from/);
  assert.throws(() => config(['--mail-from', 'a@b.example\r\nBcc: x@y.example']), /--mail-from/);
  assert.throws(() => config(['--email-retry-base', '0s']), /--email-retry-base/);
});

test('a notification email: the generic text and the link in plain text and HTML, one-click unsubscribe, per language', () => {
  const unsubscribe = 'https://boat.example/api/email/unsubscribe?token=abc';
  for (const lang of SERVER_LANGS) {
    const mail = composeEmail('changes', lang, 'https://boat.example', '/logbook/42', unsubscribe);
    assert.equal(mail.subject, EMAIL_TEXTS[lang]?.changesSubject);
    assert.ok(mail.text.includes('https://boat.example/logbook/42'));
    assert.ok(mail.html.includes('href="https://boat.example/logbook/42"'));
    assert.ok(mail.html.includes(`lang="${lang}"`));
    assert.deepEqual(mail.headers, {
      'List-Unsubscribe': `<${unsubscribe}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  }
  const verify = composeEmail('verify', 'en', 'https://boat.example', '/verify-email?token=a&b', undefined);
  assert.deepEqual(verify.headers, {}, 'a confirmation link is not a list');
  assert.ok(verify.html.includes('/verify-email?token=a&amp;b'), 'HTML is escaped');
  assert.equal(emailLocale('de-AT'), 'de');
  assert.equal(emailLocale('xx'), 'en', 'a language crewbell does not speak falls back to English');
  assert.equal(emailLocale('fr-CA'), 'fr', 'one of the eleven is kept as asked, even before it has texts');
  for (const lang of LANGS) {
    const written = SERVER_LANGS.includes(lang) ? lang : 'en';
    const mail = composeEmail('test', lang, 'https://boat.example', '/settings', undefined);
    assert.equal(mail.subject, EMAIL_TEXTS[written]?.testSubject, `${lang} is written in ${written}`);
    assert.ok(mail.html.includes(`lang="${written}"`), lang);
  }
  for (const lang of SERVER_LANGS) {
    assert.deepEqual(Object.keys(EMAIL_TEXTS[lang] ?? {}).sort(), Object.keys(EMAIL_TEXTS.en).sort(), lang);
  }
});

test('an address is one a relay takes: no spaces, angle brackets, line breaks; at most 254 characters', () => {
  for (const ok of ['anna@example.org', 'a.b+c@mail.boat.example', '  trim@me.example  '])
    assert.equal(v.safeParse(EmailAddress, ok).success, true, ok);
  for (const bad of [
    '',
    'anna',
    'anna@',
    '@example.org',
    'a b@example.org',
    'a@b',
    '<a@b.example>',
    'a@b.example\r\nBcc: c@d.example',
    `${'a'.repeat(250)}@b.example`,
  ])
    assert.equal(v.safeParse(EmailAddress, bad).success, false, bad);
});
