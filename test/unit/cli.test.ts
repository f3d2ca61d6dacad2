// The CLI contract: --help on each command, exit 0/1/2 with a one-line reason, env twins. Run
// in this process through run(argv, io) (helpers/cli.ts); two real processes check that
// main.ts prints and exits exactly as run() answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/server.ts';
import { cli } from '../helpers/cli.ts';
import { allCommands } from '../../src/cli/index.ts';

const commands = await allCommands();

test('version prints the version and exits 0, in a process as in this one', async () => {
  const r = await runCli(['version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^crewbell \d+\.\d+\.\d+ \(node 24\./);
  assert.deepEqual(await cli(['version']), { code: 0, stdout: r.stdout, stderr: '' });
});

test('no command prints the command list and exits 2; an unknown one names itself', async () => {
  const none = await cli([]);
  assert.equal(none.code, 2);
  for (const c of commands) assert.ok(none.stdout.includes(c.name), `help lists ${c.name}`);
  const unknown = await cli(['sail']);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr.trim().split('\n').length, 1);
  assert.match(unknown.stderr, /unknown command "sail"/);
});

test('every command has --help listing its flags with defaults and environment twins', async () => {
  for (const c of commands) {
    for (const help of ['--help', '-h']) {
      const r = await cli([...c.name.split(' '), help]);
      assert.equal(r.code, 0, c.name);
      assert.match(r.stdout, new RegExp(`usage: crewbell ${c.name}`));
      for (const f of c.flags) {
        assert.ok(r.stdout.includes(`--${f.name}`), `${c.name} --help shows --${f.name}`);
        assert.ok(r.stdout.includes(`[CREWBELL_${f.name.replace(/-/g, '_').toUpperCase()}]`), `${c.name} twin`);
        if (f.default !== undefined)
          assert.ok(r.stdout.includes(`(default ${f.default})`), `${c.name} shows the default of --${f.name}`);
      }
    }
  }
});

test('bad usage exits 2 with one line naming the flag or variable', async () => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [['serve', '--port', 'harbour'], {}, /--port: "harbour" must be a whole number/],
    [['serve', '--port=harbour'], {}, /--port: "harbour" must be a whole number/],
    [['serve', '--no-such-flag'], {}, /unknown flag --no-such-flag/],
    [['serve', '--no-such-flag=1'], {}, /unknown flag --no-such-flag$/m],
    [['serve', '-x'], {}, /unknown flag -x$/m],
    [['serve', '--port'], {}, /--port needs a value/],
    [['serve', '--open-registration=maybe'], {}, /--open-registration: "maybe" must be true or false/],
    [['serve'], { CREWBELL_NOTIFY_DEBOUNCE: 'soon' }, /CREWBELL_NOTIFY_DEBOUNCE/],
    [['serve'], { CREWBELL_PORT: 'harbour' }, /CREWBELL_PORT: "harbour" must be a whole number/],
    [['serve', '--origin', 'https://boat.example.org'], {}, /--vapid-subject is required/],
    [['serve', '--origin', 'https://boat.example.org', '--vapid-subject', 'mailto:a@localhost'], {}, /localhost/],
  ];
  for (const [args, env, pattern] of cases) {
    const r = await cli(args, { env });
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
  // A real process exits with the same code and line.
  const spawned = await runCli(['serve', '--port', 'harbour']);
  assert.deepEqual(spawned, await cli(['serve', '--port', 'harbour']));
});
