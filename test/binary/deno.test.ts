// The same source runs under Deno 2 (installed from npm by `make deno` into .tools/deno):
// the server starts, serves the PWA, and a passkey account goes through its whole life.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import path from 'node:path';
import { mainTs, repoRoot, startServer } from '../helpers/server.ts';
import { reauth, signIn, signUp } from '../helpers/passkey.ts';
import { ciphertext } from '../helpers/crew.ts';
import { randomUUID } from 'node:crypto';

const deno = path.join(repoRoot, '.tools/deno/node_modules/.bin/deno');

test('under Deno: serve answers /healthz and the PWA; a passkey account signs up, signs in, syncs, re-verifies and is deleted', async () => {
  assert.ok(existsSync(deno), 'no Deno in .tools: run `make deno` first');
  const server = await startServer({
    flags: ['--open-registration'],
    command: [deno, 'run', '-A', '--no-prompt', mainTs],
    env: { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
  });
  try {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { ok: boolean }).ok, true);
    const page = await fetch(`${server.url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<!doctype html>/i);

    const { authenticator, user } = await signUp(server, 'denosailor');
    const { client } = await signIn(server, authenticator);
    assert.equal((await client.get('/api/auth/me')).body.user.id, user.id);
    // A logbook and two uploads sent at once: bodies read from Deno's node:http request, one
    // group commit; pulled back in order.
    const logbook = { id: randomUUID(), meta: ciphertext() };
    assert.equal((await client.post('/api/logbooks', logbook)).status, 201);
    // The list, answered from Deno's node:http request before Hono (src/app/fast-reads.ts).
    const list = await client.get('/api/logbooks');
    assert.deepEqual(
      list.body.logbooks.map((l: { id: string; role: string }) => [l.id, l.role]),
      [[logbook.id, 'OWNER']],
    );
    assert.equal(list.headers.get('x-frame-options'), 'SAMEORIGIN');
    assert.match(list.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const upload = (entityId: string) =>
      client.post('/api/sync/push', {
        items: [{ logbookId: logbook.id, entityId, action: 'create', payload: ciphertext() }],
      });
    const [first, second] = [randomUUID(), randomUUID()];
    const answers = await Promise.all([upload(first), upload(second)]);
    assert.deepEqual(
      answers.map((a) => a.body.results[0].status),
      ['success', 'success'],
    );
    const pulled = await client.get(`/api/sync/pull?logbookId=${logbook.id}`);
    assert.deepEqual(pulled.body.items.map((i: { entityId: string }) => i.entityId).sort(), [first, second].sort());
    await reauth(client, authenticator);
    assert.equal((await client.delete('/api/auth/account')).status, 204);
    const db = new DatabaseSync(path.join(server.dataDir, 'crewbell.db'));
    assert.equal(db.prepare('SELECT COUNT(*) AS n FROM users').get()!.n, 0);
    db.close();
  } finally {
    assert.equal(await server.stop(), 0);
    server.cleanup();
  }
});
