// The CLI contract: --help on each command, exit 0/1/2 with a one-line reason, env twins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/server.ts';
import { allCommands, run } from '../../src/cli/index.ts';

const commands = await allCommands();
import type { Io } from '../../src/cli/command.ts';

test('version prints the version and exits 0', async () => {
  const r = await runCli(['version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^crewbell \d+\.\d+\.\d+ \(node 24\./);
});

test('no command prints the command list and exits 2; an unknown one names itself', async () => {
  const none = await runCli([]);
  assert.equal(none.code, 2);
  for (const c of commands) assert.ok(none.stdout.includes(c.name), `help lists ${c.name}`);
  const unknown = await runCli(['sail']);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr.trim().split('\n').length, 1);
  assert.match(unknown.stderr, /unknown command "sail"/);
});

/** What the CLI prints for argv and its exit code, run in this process (the run() main.ts calls). */
async function inProcess(argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const io: Io = {
    out: (line) => void (stdout += `${line}\n`),
    err: () => {},
    write: (text) => void (stdout += text),
    isTTY: false,
    env: {},
  };
  return { code: await run(argv, io), stdout };
}

test('every command has --help listing its flags with defaults and environment twins', async () => {
  // A real process prints exactly what run() gives in this process, so each command's help is
  // read here: one process start instead of one per command.
  const spawned = await runCli(['user', 'invite', '--help']);
  assert.equal(spawned.code, 0, spawned.stderr);
  assert.equal(spawned.stdout, (await inProcess(['user', 'invite', '--help'])).stdout);
  for (const c of commands) {
    const r = await inProcess([...c.name.split(' '), '--help']);
    assert.equal(r.code, 0, c.name);
    assert.match(r.stdout, new RegExp(`usage: crewbell ${c.name}`));
    for (const f of c.flags) {
      assert.ok(r.stdout.includes(`--${f.name}`), `${c.name} --help shows --${f.name}`);
      if (f.default !== undefined)
        assert.ok(r.stdout.includes(`(default ${f.default})`), `${c.name} shows the default of --${f.name}`);
    }
  }
});

test('bad usage exits 2 with one line naming the flag or variable', async () => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [['serve', '--port', 'harbour'], {}, /--port: "harbour" must be a whole number/],
    [['serve', '--no-such-flag'], {}, /unknown flag --no-such-flag/],
    [['serve'], { CREWBELL_NOTIFY_DEBOUNCE: 'soon' }, /CREWBELL_NOTIFY_DEBOUNCE/],
    [['serve', '--origin', 'https://boat.example.org'], {}, /--vapid-subject is required/],
    [['serve', '--origin', 'https://boat.example.org', '--vapid-subject', 'mailto:a@localhost'], {}, /localhost/],
  ];
  for (const [args, env, pattern] of cases) {
    const r = await runCli(args, { env });
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
});
