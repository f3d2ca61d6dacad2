// Email with real processes: `serve` talking to a real SMTP relay on 127.0.0.1 over STARTTLS it
// verifies against a test CA (NODE_EXTRA_CA_CERTS) with AUTH, set through CREWBELL_SMTP_URL; a
// SIGKILL between "due" and "sent" loses nothing; `crewbell email test` and doctor's SMTP check.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { runCli, startServer, waitFor, type TestServer } from '../helpers/server.ts';
import { ciphertext, crewAboard } from '../helpers/crew.ts';
import { RELAY_PASSWORD, startRelay, type TestRelay } from '../helpers/smtp.ts';
import { Client } from '../helpers/client.ts';

let relay: TestRelay;
let env: Record<string, string>;
before(async () => {
  relay = await startRelay();
  env = { CREWBELL_SMTP_URL: relay.url, NODE_EXTRA_CA_CERTS: relay.certs.caFile };
});
after(async () => {
  await relay.close();
});

const FLAGS = ['--notify-debounce', '100ms', '--email-retry-base', '200ms', '--email-timeout', '1s'];

test('a SIGKILL between "due" and "sent" loses nothing: the restarted server sends the email', async () => {
  let server: TestServer = await startServer({ flags: FLAGS, env });
  try {
    const crew = await crewAboard(server);
    const before = relay.received.length;
    assert.equal((await crew.mate.client.put('/api/account/email', { email: 'night@boat.example' })).status, 202);
    const verify = await waitFor(() => relay.received.slice(before).find((m) => m.to[0] === 'night@boat.example'));
    assert.ok(relay.secured > 0, 'STARTTLS, with the certificate checked against the test CA');
    const token = /verify-email\?token=([\w-]+)/.exec(verify.mail.text ?? '')![1]!;
    assert.equal(
      (await new Client(server.url, server.origin).post('/api/account/email/verify', { token })).status,
      200,
    );
    await crew.mate.client.put('/api/push/prefs', { collaboratorChangesEnabled: true });
    await crew.mate.client.put(`/api/logbooks/${crew.logbook.id}/notifications`, { enabled: true });

    relay.mode = 'hang';
    const res = await crew.skipper.client.post('/api/sync/push', {
      items: [{ logbookId: crew.logbook.id, entityId: randomUUID(), action: 'create', payload: ciphertext() }],
    });
    assert.equal(res.body.results[0].status, 'success');
    await waitFor(
      () => server.query("SELECT 1 FROM email_outbox WHERE kind = 'changes'").length === 1,
      'the email to be due',
    );
    assert.equal(server.query('SELECT 1 FROM notify_state WHERE due_at IS NOT NULL').length, 0, 'the row is cleared');
    await server.kill();

    relay.mode = 'accept';
    server = await startServer({ flags: FLAGS, env, dataDir: server.dataDir });
    const mail = await waitFor(
      () => relay.received.find((m) => m.to[0] === 'night@boat.example' && /new changes/.test(m.mail.subject ?? '')),
      'the email after the restart',
      15_000,
    );
    assert.match(mail.mail.text ?? '', new RegExp(`/logbook/${crew.logbook.id}`));
    await waitFor(() => server.query('SELECT 1 FROM email_outbox').length === 0, 'the outbox to empty');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /crewbell_email_sent_total\{result="success"\} 1/);

    // `crewbell email test --user NAME` on the same data dir.
    const cli = await runCli(['email', 'test', '--user', crew.mate.username, '--data-dir', server.dataDir], { env });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /^ok: sent to n\*\*\*@boat\.example through smtp:\/\/127\.0\.0\.1:\d+/m);
    const test = await waitFor(() => relay.received.find((m) => m.mail.subject === 'crewbell: test email'));
    assert.ok(test.mail.headerLines.some((h) => h.key === 'list-unsubscribe'));
    const nobody = await runCli(['email', 'test', '--user', crew.deckhand.username, '--data-dir', server.dataDir], {
      env,
    });
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /has no verified email address/);

    // `crewbell user delete NAME` takes the address with the account.
    assert.equal(server.query('SELECT 1 FROM email_addresses').length, 1);
    const deleted = await runCli(['user', 'delete', crew.mate.username, '--data-dir', server.dataDir]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(server.query('SELECT 1 FROM email_addresses').length, 0, 'the address is gone');
  } finally {
    relay.mode = 'accept';
    await server.stop();
    server.cleanup();
  }
});

test('doctor checks the relay when --smtp-url is given: connects, EHLO and AUTH, sends nothing; a wrong password is a problem', async () => {
  const server = await startServer({});
  await server.stop();
  try {
    const sent = relay.received.length;
    const logins = relay.authenticated;
    const good = await runCli(['doctor', '--data-dir', server.dataDir], { env });
    assert.match(
      good.stdout,
      /^ok\s+smtp\s+smtp:\/\/127\.0\.0\.1:\d+ answered EHLO and took the login \(nothing sent\)$/m,
    );
    assert.equal(relay.authenticated, logins + 1);
    assert.equal(relay.received.length, sent, 'doctor sends nothing');
    const bad = await runCli(['doctor', '--data-dir', server.dataDir], {
      env: { ...env, CREWBELL_SMTP_URL: relay.url.replace(RELAY_PASSWORD, 'wrong') },
    });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /^problem\s+smtp\s+.*535.*; fix: check the host, port, user and password/m);
    assert.ok(!bad.stdout.includes('wrong'), 'the password is never printed');
    const none = await runCli(['doctor', '--data-dir', server.dataDir]);
    assert.doesNotMatch(none.stdout, /smtp/, 'no relay configured: no check');
  } finally {
    server.cleanup();
  }
});
