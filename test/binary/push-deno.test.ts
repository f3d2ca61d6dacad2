// The same push path under Deno 2 (from `make deno`): serve creates its keys, takes a
// subscription, and delivers a test notification through the node:https/node:http
// keep-alive transport to the local push service. Fails, saying so, when Deno is missing.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, mainTs, startServer } from '../helpers/server.ts';
import { createUserWithSession } from '../helpers/accounts.ts';
import { startPushService } from '../helpers/push-service.ts';

const deno = path.join(repoRoot, '.tools/deno/node_modules/.bin/deno');

test('under Deno: subscribe, then POST /api/push/test is delivered, verified and decrypted', async () => {
  assert.ok(existsSync(deno), 'no Deno in .tools: run `make deno` first');
  const ps = await startPushService();
  after(() => ps.close());
  const server = await startServer({ command: [deno, 'run', '-A', mainTs], flags: ['--push-allow-insecure'] });
  try {
    const user = createUserWithSession(server, 'denoskipper');
    const phone = ps.createDevice({ locale: 'de' });
    assert.equal((await user.client.put('/api/push/subscription', phone.subscription)).status, 200);
    const res = await user.client.post('/api/push/test');
    assert.deepEqual(res.body, { queued: 1 });
    const [m] = await ps.waitForDelivered(1, phone, 20_000);
    assert.equal(m!.payload.tag, 'test');
    assert.match(m!.payload.body, /Testbenachrichtigung/);
    assert.deepEqual(ps.rejected, []);
  } finally {
    assert.equal(await server.stop(), 0);
    server.cleanup();
  }
});
