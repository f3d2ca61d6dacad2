// README "When the SD card dies", followed word for word: the commands of its "Restore onto a
// new card" block are read from the README and run in order, with the Pi's paths swapped for
// this test's (/var/lib/crewbell, /etc/litestream.yml), `crewbell-admin` run as crewbell with
// the data dir of the service's settings file, and `systemctl stop|start crewbell litestream`
// acted out on the real processes. A line the test does not know fails it, so the README
// cannot drift from what was run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { mainTs, repoRoot, runCli, startServer, tempDir, type TestServer } from '../helpers/server.ts';
import { crewAboard } from '../helpers/crew.ts';
import { keepWriting, LITESTREAM, startReplicate, writeConfig, type Replicator } from '../helpers/litestream.ts';

/** The shell lines of the first ```sh block after the "Restore onto a new card" paragraph. */
export function readmeRestoreSteps(): string[] {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## When the SD card dies'));
  const after = section.slice(section.indexOf('**Restore onto a new card.**'));
  const block = /```sh\n([\s\S]*?)```/.exec(after);
  assert.ok(block, 'README has the restore block');
  return block[1]!
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

test('README "When the SD card dies": its restore steps, run word for word, bring back the crew\'s entries and the push keys', async (t) => {
  const steps = readmeRestoreSteps();
  t.diagnostic(steps.join('\n'));
  assert.ok(
    steps.some((s) => s.startsWith('crewbell-admin restore')),
    'the steps restore',
  );

  const work = tempDir('crewbell-readme-');
  const dataDir = path.join(work, 'var/lib/crewbell');
  const config = writeConfig(work, path.join(dataDir, 'crewbell.db'), {
    type: 'file',
    path: path.join(work, 'media/crewbell-replica/crewbell'),
  });
  let server: TestServer | undefined = await startServer({ dataDir });
  let replicator: Replicator | undefined = startReplicate(config);
  const port = server.port;
  try {
    const { skipper, mate, logbook } = await crewAboard(server);
    const vapidKey = (await skipper.client.get('/api/push/vapid-public-key')).body.publicKey;
    await replicator.ready();
    const writing = keepWriting(mate.client, logbook.id);
    await new Promise((r) => setTimeout(r, 3000));
    const crashAt = Date.now();
    await Promise.all([server.kill(), replicator.kill()]);
    await writing.stop();
    // The old card is gone; the key survives on paper.
    const paperKey = readFileSync(path.join(dataDir, 'secret.key'), 'utf8').trim();
    renameSync(dataDir, path.join(work, 'dead-card'));

    const swap = (word: string) =>
      word.replaceAll('/etc/litestream.yml', config).replaceAll('/var/lib/crewbell', dataDir);
    for (const step of steps) {
      const words = step.split(/\s+/).map(swap);
      if (step === 'sudo systemctl stop crewbell litestream') {
        await server?.stop();
        await replicator?.stop();
        server = replicator = undefined;
      } else if (step === 'sudo systemctl start crewbell litestream') {
        server = await startServer({ dataDir, flags: ['--port', String(port)] });
        replicator = startReplicate(config);
        await replicator.ready();
      } else if (words[0] === 'crewbell-admin') {
        // crewbell-admin: crewbell as the service user, with /etc/crewbell/crewbell.env's data dir.
        const args = words.slice(1);
        const r = await runCli(args, {
          env: { CREWBELL_DATA_DIR: dataDir, PATH: `${path.dirname(LITESTREAM)}:${process.env.PATH}` },
          input: args.includes('-') ? `${paperKey}\n` : '',
          command: [process.execPath, mainTs],
        });
        t.diagnostic(`$ ${step}\n${r.stdout}${r.stderr}`);
        assert.equal(r.code, 0, `${step}:\n${r.stdout}${r.stderr}`);
        if (args[0] === 'doctor') assert.match(r.stdout, /^ok\s+replication\s+file [01] s behind/m);
      } else {
        assert.fail(`the test does not know the README step "${step}"`);
      }
    }

    assert.ok(server, 'the steps end with crewbell running');
    const stored = new Set(
      server.query<{ entity_id: string }>('SELECT entity_id FROM entries').map((r) => r.entity_id),
    );
    const lost = [...writing.acked].filter(([id, at]) => at < crashAt - 2000 && !stored.has(id));
    assert.deepEqual(lost, []);
    assert.ok(stored.size > 0);
    assert.equal((await skipper.client.get('/api/push/vapid-public-key')).body.publicKey, vapidKey);
    assert.equal(
      (await mate.client.get(`/api/sync/pull?logbookId=${logbook.id}`)).status,
      200,
      "the mate's session came back too",
    );
  } finally {
    await replicator?.kill();
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  }
});
