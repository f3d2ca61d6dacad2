// Settings: flags win over CREWBELL_* twins, which win over defaults; bad values are usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveConfig, serveFlags, UsageError } from '../../src/config.ts';
import { parseArgs, parseDuration, envName, formatDuration } from '../../src/cli/args.ts';

test('durations accept ms, s, m, h and d', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('5s'), 5000);
  assert.equal(parseDuration('3m'), 180_000);
  assert.equal(parseDuration('24h'), 86_400_000);
  assert.equal(parseDuration('60d'), 60 * 86_400_000);
  assert.equal(parseDuration('1.5s'), 1500);
  for (const bad of ['5', 's', '5 minutes', '-5s', '5w', '']) assert.throws(() => parseDuration(bad), UsageError, bad);
  assert.equal(formatDuration(180_000), '3m');
  assert.equal(formatDuration(1500), '1500ms');
});

test('a flag wins over its environment twin, which wins over the default', () => {
  const defaults = parseArgs([], serveFlags, {});
  assert.equal(defaults.values.port, 8080);
  assert.equal(defaults.values['notify-debounce'], 5000);
  assert.equal(defaults.values['notify-throttle'], 180_000);
  assert.equal(defaults.values['open-registration'], false);

  const env = { CREWBELL_PORT: '9000', CREWBELL_NOTIFY_THROTTLE: '10m', CREWBELL_OPEN_REGISTRATION: 'true' };
  const fromEnv = parseArgs([], serveFlags, env);
  assert.equal(fromEnv.values.port, 9000);
  assert.equal(fromEnv.values['notify-throttle'], 600_000);
  assert.equal(fromEnv.values['open-registration'], true);

  const fromFlag = parseArgs(['--port', '9100', '--notify-throttle=1m', '--open-registration=false'], serveFlags, env);
  assert.equal(fromFlag.values.port, 9100);
  assert.equal(fromFlag.values['notify-throttle'], 60_000);
  assert.equal(fromFlag.values['open-registration'], false);
  assert.equal(envName('push-allow-insecure'), 'CREWBELL_PUSH_ALLOW_INSECURE');
});

test('bad flags and values are usage errors that name the flag or variable', () => {
  assert.throws(() => parseArgs(['--nope'], serveFlags, {}), /unknown flag --nope/);
  assert.throws(() => parseArgs(['--port'], serveFlags, {}), /--port needs a value/);
  assert.throws(() => parseArgs(['--port', 'x'], serveFlags, {}), /--port: "x" must be a whole number/);
  assert.throws(() => parseArgs([], serveFlags, { CREWBELL_PUSH_TIMEOUT: 'soon' }), /CREWBELL_PUSH_TIMEOUT/);
  assert.throws(() => parseArgs([], serveFlags, { CREWBELL_OPEN_REGISTRATION: 'maybe' }), /must be true or false/);
});

test('serve config: https origin needs a valid VAPID subject, never @localhost', () => {
  const parse = (argv: string[]) => serveConfig(parseArgs(argv, serveFlags, {}).values);
  assert.throws(() => parse(['--origin', 'https://boat.example.org']), /--vapid-subject is required/);
  assert.throws(
    () => parse(['--origin', 'https://boat.example.org', '--vapid-subject', 'mailto:me@localhost']),
    /localhost/,
  );
  assert.throws(
    () => parse(['--origin', 'https://boat.example.org', '--vapid-subject', 'me@example.org']),
    /mailto: address or an https: URL/,
  );
  assert.throws(() => parse(['--origin', 'https://boat.example.org/app']), /no path/);
  assert.throws(() => parse(['--origin', 'ftp://boat.example.org']), /--origin/);
  assert.throws(() => parse(['--port', '70000']), /--port/);
  assert.throws(() => parse(['--push-timeout', '0s']), /--push-timeout/);
  const ok = parse(['--origin', 'https://boat.example.org/', '--vapid-subject', 'mailto:skipper@example.org']);
  assert.equal(ok.origin, 'https://boat.example.org');
  assert.equal(ok.vapidSubject, 'mailto:skipper@example.org');
  assert.equal(parse([]).origin, undefined);
});
