// `crewbell push broadcast` as an operator runs it on a real data dir: every device of every
// account gets the message through the outbox, a progress bar on a terminal, a summary line,
// and the rate limit (one at a time, three a day) refusing with exit status 1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { runCli, startServer } from '../helpers/server.ts';
import { createUserWithSession } from '../helpers/accounts.ts';
import { startPushService, type PushService } from '../helpers/push-service.ts';
import { run } from '../../src/cli/index.ts';
import type { Io } from '../../src/cli/command.ts';

let ps: PushService;
before(async () => {
  ps = await startPushService();
});
after(() => ps.close());

test('push broadcast sends to every device of every account, draws a bar on a terminal, and is rate limited', async () => {
  const server = await startServer({ flags: ['--push-allow-insecure'] });
  const devices = [ps.createDevice(), ps.createDevice(), ps.createDevice()];
  const gone = ps.createDevice();
  try {
    const skipper = createUserWithSession(server, `skipper${randomUUID().slice(0, 6)}`);
    const mate = createUserWithSession(server, `mate${randomUUID().slice(0, 6)}`);
    for (const d of [devices[0]!, devices[1]!, gone])
      assert.equal((await skipper.client.put('/api/push/subscription', d.subscription)).status, 200);
    assert.equal((await mate.client.put('/api/push/subscription', devices[2]!.subscription)).status, 200);
  } finally {
    // The CLI sends on its own: no running server's worker shares the outbox here.
    await server.stop();
  }
  ps.plan(gone, 410);
  const args = ['push', 'broadcast', '--push-allow-insecure', '--data-dir', server.dataDir];
  try {
    let screen = '';
    const lines: string[] = [];
    const io: Io = {
      out: (line) => {
        lines.push(line);
        screen += `${line}\n`;
      },
      err: (line) => lines.push(`stderr: ${line}`),
      write: (text) => void (screen += text),
      isTTY: true,
      env: {},
    };
    const code = await run([...args, '--title', 'Moving', '--body', 'Down tonight 22:00.'], io);
    assert.equal(code, 0, lines.join('\n'));
    for (const d of devices) {
      const [message] = ps.delivered(d);
      assert.equal(message?.payload.tag, 'broadcast');
      assert.equal(message?.payload.title, 'Moving');
      assert.equal(message?.payload.body, 'Down tonight 22:00.');
      assert.equal(message?.payload.data.logbookId, undefined);
    }
    const bar = (done: number) => `[${'#'.repeat(Math.round((done / 4) * 24)).padEnd(24)}] ${done}/4`;
    assert.ok(screen.startsWith(`\r\x1b[K${bar(0)}`), JSON.stringify(screen.slice(0, 60)));
    assert.ok(screen.includes(`\r\x1b[K${bar(4)}\r\x1b[K`), JSON.stringify(screen));
    assert.deepEqual(lines, [
      'broadcast to 4 devices: 3 delivered, 1 gone (removed), 0 failed, 0 to be retried by the server',
    ]);

    // Piped, as a real process: the summary only. Then the day's third, and a fourth refused.
    const second = await runCli([...args, '--title', 'Moving', '--body', 'Now.']);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(
      second.stdout,
      'broadcast to 3 devices: 3 delivered, 0 gone (removed), 0 failed, 0 to be retried by the server\n',
    );
    assert.equal(await run([...args, '--title', 'Moved', '--body', 'Done.'], { ...io, isTTY: false }), 0);
    const fourth = await runCli([...args, '--title', 'Again', '--body', 'One too many.']);
    assert.equal(fourth.code, 1);
    assert.match(fourth.stderr, /not sent: at most 3 broadcasts a day/);
    for (const d of devices) assert.equal(ps.delivered(d).length, 3);

    const usage = await runCli([...args, '--title', 'No body']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--title T and --body B/);
  } finally {
    server.cleanup();
  }
});
