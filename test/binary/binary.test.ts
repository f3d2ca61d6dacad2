// Smoke tests of what `make binary` ships: the native (x64 here) binary serves and runs the admin
// commands with everything embedded (started outside the checkout), the arm64 binary is
// an aarch64 ELF that answers /healthz under qemu, upgrades keep every row, the checksums
// match, and the systemd unit, its settings file and `make install` hold together.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { DatabaseSync } from 'node:sqlite';
import { repoRoot, mainTs, runCli, startServer, tempDir, type TestServer } from '../helpers/server.ts';
import { addFleet, dumpTables, missingRows, tableColumns } from '../helpers/database.ts';
import { reauth, signIn, signUp } from '../helpers/passkey.ts';
import { ciphertext, crewAboard } from '../helpers/crew.ts';
import { startPushService } from '../helpers/push-service.ts';
import { binaryAssets, binaryPath, runnerFor } from '../../build.ts';
import { allCommands, run } from '../../src/cli/index.ts';

const commands = await allCommands();
import type { Io } from '../../src/cli/command.ts';
import { databasePath, latestSchemaVersion, openDatabase } from '../../src/db.ts';
import { serveFlags } from '../../src/config.ts';
import { envName } from '../../src/cli/args.ts';
import { VERSION } from '../../src/version.ts';

const x64 = path.join(repoRoot, binaryPath('x64'));
const arm64 = path.join(repoRoot, binaryPath('arm64'));
const host = path.join(repoRoot, 'dist/crewbell');
/** The build this machine runs without emulation (x64 on the build machine, arm64 on a Pi). */
const native = process.arch === 'arm64' ? arm64 : x64;
const webDist = path.join(repoRoot, 'web/dist');

/** Newest change to anything the binary is made of (what the Makefile's BINARY_INPUTS lists). */
function newestSource(dir = repoRoot, top = true): number {
  let newest = 0;
  const names = top ? ['src', 'web', 'schema.sql', 'build.ts', 'package.json', 'package-lock.json'] : readdirSync(dir);
  for (const name of names) {
    const full = path.join(dir, name);
    if (full === webDist || !existsSync(full)) continue;
    const stat = statSync(full);
    newest = Math.max(newest, stat.isDirectory() ? newestSource(full, false) : stat.mtimeMs);
  }
  return newest;
}

before(() => {
  // The binaries are made by `make binary` (make test-binary and make test depend on it),
  // never here: a missing or stale build fails the file with what to run.
  const newest = newestSource();
  for (const file of [x64, arm64, host]) {
    if (!existsSync(file)) assert.fail(`${path.relative(repoRoot, file)} is missing: run \`make binary\` first`);
    if (statSync(file).mtimeMs < newest)
      assert.fail(`${path.relative(repoRoot, file)} is older than the source: run \`make binary\` again`);
  }
});

const workDirs: string[] = [];
after(() => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

/** Somewhere without schema.sql or web/dist, so whatever the binary serves is inside it. */
function elsewhere(): string {
  const dir = tempDir('crewbell-cwd-');
  workDirs.push(dir);
  return dir;
}

/** A GET through node:http, which leaves a compressed body as it came. */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function stopped(server: TestServer): Promise<void> {
  assert.equal(await server.stop(), 0, server.output());
  server.cleanup();
}

test('the native binary serves /healthz and the whole PWA from inside itself', async (t) => {
  const cwd = elsewhere();
  const server = await startServer({ command: [native], cwd });
  try {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { ok: true, version: VERSION });

    // Every file the PWA build made, byte for byte (the brotli and gzip copies are how they
    // travel, not files of their own).
    const files = Object.keys(binaryAssets()).filter((key) => key.startsWith('web/dist/') && !/\.(br|gz)$/.test(key));
    assert.ok(files.includes('web/dist/index.html'));
    for (const key of files) {
      const rel = key.slice('web/dist/'.length);
      const res = await fetch(`${server.url}/${rel === 'index.html' ? '' : rel}`);
      assert.equal(res.status, 200, rel);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), readFileSync(path.join(repoRoot, key)), rel);
    }
    // The brotli and gzip copies inside the binary go out as they are, by Accept-Encoding
    // (node:http here: fetch would open them before the test sees them).
    const entry = /<script type="module" src="\/([^"]+)"/.exec(
      readFileSync(path.join(webDist, 'index.html'), 'utf8'),
    )![1]!;
    for (const [accept, coding, file] of [
      ['br, gzip', 'br', `${entry}.br`],
      ['gzip', 'gzip', `${entry}.gz`],
      ['identity', undefined, entry],
    ] as const) {
      const raw = await rawGet(`${server.url}/${entry}`, { 'accept-encoding': accept });
      assert.equal(raw.status, 200);
      assert.equal(raw.headers['content-encoding'], coding, accept);
      assert.equal(raw.headers.vary, 'Accept-Encoding');
      assert.equal(Number(raw.headers['content-length']), raw.body.length);
      assert.deepEqual(raw.body, readFileSync(path.join(webDist, file)), file);
    }
    const deepLink = await fetch(`${server.url}/logbook/3f1c`);
    assert.equal(deepLink.status, 200);
    assert.match(deepLink.headers.get('content-type') ?? '', /^text\/html/);

    const html = readFileSync(path.join(webDist, 'index.html'), 'utf8');
    const manifestHref = /<link[^>]+rel=["']manifest["'][^>]*>/i.exec(html)?.[0].match(/href=["']([^"']+)["']/)?.[1];
    assert.ok(manifestHref, 'web/dist/index.html links the manifest');
    await t.test('the web app manifest and its icons', async () => {
      const res = await fetch(new URL(manifestHref!, `${server.url}/`));
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /manifest\+json|application\/json/);
      const manifest = (await res.json()) as { name?: string; icons?: { src: string }[]; start_url?: string };
      assert.ok(manifest.name, 'the manifest has a name');
      assert.ok(manifest.icons?.length, 'the manifest has icons');
      for (const icon of manifest.icons!) {
        const iconRes = await fetch(new URL(icon.src, res.url));
        assert.equal(iconRes.status, 200, icon.src);
      }
    });
    await t.test('the service worker', async () => {
      const res = await fetch(`${server.url}/sw.js`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /javascript/);
      assert.equal(res.headers.get('service-worker-allowed'), '/');
      assert.equal(res.headers.get('cache-control'), 'no-cache', 'a new release reaches phones on the next visit');
    });
  } finally {
    await stopped(server);
    rmSync(cwd, { recursive: true, force: true });
  }
});

/** What the source itself prints for argv, run in this process. */
async function fromSource(argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const io: Io = {
    out: (l) => void (stdout += `${l}\n`),
    err: () => {},
    write: (s) => void (stdout += s),
    isTTY: false,
    env: {},
  };
  const code = await run(argv, io);
  return { code, stdout };
}

test('the native binary holds every command of the source and runs the admin commands', async (t) => {
  const cwd = elsewhere();
  const dataDir = tempDir('crewbell-admin-');
  const bin = { command: [native], cwd, env: { CREWBELL_DATA_DIR: dataDir } };
  try {
    for (const command of commands) {
      const words = command.name.split(' ');
      const inBinary = await runCli([...words, '--help'], bin);
      assert.equal(inBinary.code, 0, `${command.name} --help: ${inBinary.stderr}`);
      assert.equal(inBinary.stdout, (await fromSource([...words, '--help'])).stdout, command.name);
    }

    const version = await runCli(['version'], bin);
    assert.match(version.stdout, new RegExp(`^crewbell ${VERSION.replace(/\./g, '\\.')} \\(node 24\\.`));

    await t.test('vapid generate, then vapid show prints the stored public key', async () => {
      const generated = await runCli(['vapid', 'generate'], bin);
      assert.equal(generated.code, 0, generated.stderr);
      const shown = await runCli(['vapid', 'show'], bin);
      assert.equal(shown.code, 0, shown.stderr);
      const key = shown.stdout.trim().split('\n').at(-1)!;
      assert.match(key, /^[A-Za-z0-9_-]{87}$/);
      const db = new DatabaseSync(databasePath(dataDir), { readOnly: true });
      assert.equal((db.prepare('SELECT public_key FROM vapid_keys').get() as { public_key: string }).public_key, key);
      db.close();
    });

    await t.test('user invite prints a sign-up link for the first admin', async () => {
      const invite = await runCli(
        ['user', 'invite', 'skipper', '--admin', '--origin', 'https://logbook.example.org'],
        bin,
      );
      assert.equal(invite.code, 0, invite.stderr);
      const link = invite.stdout.trim().split('\n').at(-1)!;
      assert.match(link, /^https:\/\/logbook\.example\.org\/signup\?token=[A-Za-z0-9_-]{16,}$/);
      const db = new DatabaseSync(databasePath(dataDir), { readOnly: true });
      assert.deepEqual(
        { ...(db.prepare('SELECT username, is_admin FROM signup_tokens WHERE first_start = 0').get() as object) },
        { username: 'skipper', is_admin: 1 },
      );
      db.close();
    });

    const copy = path.join(cwd, 'copy.db');
    openDatabase(databasePath(dataDir)).close(); // a database even before the commands above exist
    const backup = await runCli(['backup', copy], bin);
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, new RegExp(`schema step ${latestSchemaVersion()}, integrity ok`));

    const doctor = await runCli(['doctor'], bin);
    assert.match(doctor.stdout, /^ok\s+database\s/m, doctor.stdout);
    assert.match(doctor.stdout, /^ok\s+clock\s/m, 'the build time the binary carries is in the past');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("through the native binary: the first admin's invite link, then a passkey sign-up, sign-in and re-verification", async () => {
  const server = await startServer({ command: [native], cwd: elsewhere() });
  try {
    const invite = await runCli(
      ['user', 'invite', 'skipper', '--admin', '--origin', server.origin, '--data-dir', server.dataDir],
      { command: [native] },
    );
    assert.equal(invite.code, 0, invite.stderr);
    const token = new URL(invite.stdout.trim().split('\n').at(-1)!).searchParams.get('token')!;
    // The passkey ceremonies use a package the binary loads on first use, not at start.
    const { client, authenticator, user } = await signUp(server, 'skipper', { inviteToken: token });
    assert.deepEqual({ username: user.username, isAdmin: user.isAdmin }, { username: 'skipper', isAdmin: true });
    const again = await signIn(server, authenticator);
    assert.equal((await again.client.get('/api/auth/me')).body.user.id, user.id);
    await reauth(client, authenticator);
  } finally {
    await stopped(server);
  }
});

test("on a terminal, the binary's user invite draws the link as a QR code", async (t) => {
  if (spawnSync('sh', ['-c', 'command -v script'], { stdio: 'ignore' }).status !== 0) {
    t.skip('no script(1) to give the binary a terminal');
    return;
  }
  const dataDir = tempDir('crewbell-qr-');
  try {
    const quoted = [native, 'user', 'invite', 'deckhand', '--data-dir', dataDir].map((a) => `'${a}'`).join(' ');
    const result = spawnSync('script', ['-qec', quoted, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /[▀▄█]{4}/, 'QR code blocks');
    assert.match(result.stdout, /\/signup\?token=[A-Za-z0-9_-]+/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("the main flow through the native binary: crew syncs, the skipper's phone gets one push", async () => {
  const pushService = await startPushService();
  const server = await startServer({
    command: [native],
    cwd: elsewhere(),
    flags: ['--push-allow-insecure', '--notify-debounce', '200ms'],
  });
  try {
    const { skipper, mate, logbook } = await crewAboard(server);
    const phone = pushService.createDevice();
    assert.equal((await skipper.client.put('/api/push/subscription', phone.subscription)).status, 200);
    assert.equal((await skipper.client.put('/api/push/prefs', { collaboratorChangesEnabled: true })).status, 200);
    const items = Array.from({ length: 3 }, () => ({
      logbookId: logbook.id,
      entityId: randomUUID(),
      action: 'create',
      payload: ciphertext(),
    }));
    assert.equal((await mate.client.post('/api/sync/push', { items })).status, 200);
    // Sent with the binary's lazily loaded push code; verified and decrypted by the local service.
    const [message] = await pushService.waitForDelivered(1, phone);
    assert.equal(message!.payload.tag, `logbook-${logbook.id}`);
    assert.deepEqual(message!.payload.data, {
      url: `/logbook/${logbook.id}`,
      logbookId: logbook.id,
      changeCount: 3,
      counts: { create: 3, update: 0, delete: 0 },
      by: [mate.username],
    });
  } finally {
    await stopped(server);
    await pushService.close();
  }
});

/** e_ident class and e_machine of an ELF file. */
function elfHeader(file: string): { magic: string; is64: boolean; machine: number } {
  const header = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  return { magic: header.subarray(0, 4).toString('latin1'), is64: header[4] === 2, machine: header.readUInt16LE(18) };
}

test('the arm64 binary is an aarch64 ELF and answers /healthz under qemu', async (t) => {
  const EM_AARCH64 = 183;
  const EM_X86_64 = 62;
  assert.deepEqual(elfHeader(arm64), { magic: '\x7fELF', is64: true, machine: EM_AARCH64 });
  assert.deepEqual(elfHeader(x64), { magic: '\x7fELF', is64: true, machine: EM_X86_64 });
  // The same blob went into both: each carries the bundled server and the embedded schema.
  for (const file of [arm64, x64]) {
    const bytes = readFileSync(file);
    assert.ok(bytes.includes('consistent online copy of the database'), `${file} holds the bundle`);
    assert.ok(bytes.includes('CREATE TABLE vapid_keys'), `${file} holds schema.sql`);
  }

  const runner = process.arch === 'arm64' ? [] : runnerFor('arm64');
  if (!runner) {
    t.skip(
      'qemu-user-static is not installed (apt-get install qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross): not started',
    );
    return;
  }
  const server = await startServer({ command: [...runner, arm64], cwd: elsewhere() });
  try {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { ok: true, version: VERSION });
    const page = await fetch(`${server.url}/`);
    assert.deepEqual(Buffer.from(await page.arrayBuffer()), readFileSync(path.join(webDist, 'index.html')));
  } finally {
    await stopped(server);
  }
});

test('the .sha256 files match, and dist/crewbell is the build for this machine', () => {
  for (const file of [x64, arm64, host]) {
    const [hash, name] = readFileSync(`${file}.sha256`, 'utf8').trim().split(/\s+/);
    assert.equal(name, path.basename(file));
    assert.equal(hash, createHash('sha256').update(readFileSync(file)).digest('hex'), file);
  }
  const own = native;
  assert.equal(
    readFileSync(`${host}.sha256`, 'utf8').split(' ')[0],
    readFileSync(`${own}.sha256`, 'utf8').split(' ')[0],
  );
});

/**
 * Where later schema steps moved a table or a column: step 10 gave the prefs to notify and
 * renamed the coalescing row's owner to its recipient. A mute became a per-logbook switch
 * (rows converted, not copied: test/unit/schema-members.test.ts checks them).
 */
const RENAMED_TABLES: Record<string, string> = { push_prefs: 'notify_prefs' };
const RENAMED_COLUMNS: Record<string, Record<string, string>> = { notify_state: { owner_id: 'user_id' } };
const CONVERTED_TABLES = new Set(['notify_muted_logbooks']);

/** A table shape and its rows, as the latest schema names them. */
function asNowNamed<T>(byTable: Map<string, T>, columns?: (table: string, value: T) => T): Map<string, T> {
  const out = new Map<string, T>();
  for (const [table, value] of byTable) {
    if (CONVERTED_TABLES.has(table)) continue;
    out.set(RENAMED_TABLES[table] ?? table, columns ? columns(table, value) : value);
  }
  return out;
}

test('upgrade: the binary takes over a database from an older schema step and keeps every row', async () => {
  const latest = latestSchemaVersion();
  const olderSteps = [...new Set([1, latest - 1])].filter((step) => step >= 1 && step < latest);
  assert.ok(olderSteps.length > 0, 'schema.sql has more than one step');
  for (const step of olderSteps) {
    const dataDir = tempDir('crewbell-upgrade-');
    const old = openDatabase(databasePath(dataDir), { schemaVersion: step });
    addFleet(old, { skippers: 3, logbooksEach: 3, entriesEach: 20 });
    const shape = tableColumns(old);
    const before = asNowNamed(dumpTables(old, shape));
    const nowShape = asNowNamed(shape, (table, cols) => cols.map((c) => RENAMED_COLUMNS[table]?.[c] ?? c));
    old.close();

    const server = await startServer({ command: [native], dataDir, cwd: elsewhere() });
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(await server.stop(), 0);

    const db = new DatabaseSync(databasePath(dataDir), { readOnly: true });
    try {
      assert.equal(
        (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version,
        latest,
        `from step ${step}`,
      );
      assert.deepEqual(missingRows(before, dumpTables(db, nowShape)), [], `from step ${step}`);
      assert.equal((db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n, 3 * 3 * 20);
    } finally {
      db.close();
      server.cleanup();
    }
  }
});

test('the same source under Deno reads schema.sql and the PWA from files', async (_t) => {
  const deno = path.join(repoRoot, '.tools/deno/node_modules/.bin/deno');
  assert.ok(existsSync(deno), 'no Deno in .tools: run `make deno` first');
  const server = await startServer({ command: [deno, 'run', '-A', mainTs], cwd: elsewhere() });
  try {
    assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { ok: true, version: VERSION });
    const page = await fetch(`${server.url}/`);
    assert.deepEqual(Buffer.from(await page.arrayBuffer()), readFileSync(path.join(webDist, 'index.html')));
    const db = server.db();
    assert.equal(
      (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version,
      latestSchemaVersion(),
    );
    db.close();
  } finally {
    await stopped(server);
  }
});

test('make install puts binary, unit and settings in place; the unit is hardened and verifies clean', async (t) => {
  const stage = tempDir('crewbell-install-');
  try {
    const made = spawnSync('make', ['-s', 'install', `DESTDIR=${stage}`], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 600_000,
    });
    assert.equal(made.status, 0, made.stdout + made.stderr);
    const binary = path.join(stage, 'usr/local/bin/crewbell');
    const unitFile = path.join(stage, 'etc/systemd/system/crewbell.service');
    const envFile = path.join(stage, 'etc/crewbell/crewbell.env');
    assert.equal(statSync(binary).mode & 0o777, 0o755);
    assert.equal(
      createHash('sha256').update(readFileSync(binary)).digest('hex'),
      readFileSync(`${host}.sha256`, 'utf8').split(' ')[0],
    );
    assert.equal(statSync(envFile).mode & 0o777, 0o640, 'the settings may hold a metrics token');

    const unit = readFileSync(unitFile, 'utf8');
    const settings = new Map<string, string[]>();
    for (const line of unit.split('\n')) {
      const m = /^([A-Za-z]+)=(.*)$/.exec(line);
      if (m) settings.set(m[1]!, [...(settings.get(m[1]!) ?? []), m[2]!]);
    }
    const one = (key: string) => settings.get(key)?.at(-1);
    assert.equal(one('ExecStart'), '/usr/local/bin/crewbell serve');
    assert.equal(one('User'), 'crewbell');
    assert.equal(one('StateDirectory'), 'crewbell');
    assert.equal(one('ProtectSystem'), 'strict');
    assert.equal(one('NoNewPrivileges'), 'yes');
    assert.equal(one('Restart'), 'on-failure');
    assert.equal(one('RestrictAddressFamilies'), 'AF_INET AF_INET6 AF_UNIX');
    assert.equal(one('EnvironmentFile'), '-/etc/crewbell/crewbell.env');
    assert.equal(one('MemoryDenyWriteExecute'), undefined, 'V8 needs to write executable memory');

    // Every serve setting is in the settings file (as a line or a commented default).
    const env = readFileSync(envFile, 'utf8');
    for (const flag of serveFlags)
      assert.match(env, new RegExp(`^#?${envName(flag.name)}=`, 'm'), `${envName(flag.name)} in crewbell.env`);

    const analyze = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' });
    if (analyze.status !== 0) {
      t.skip('systemd-analyze is not installed: unit not verified');
      return;
    }
    // verify checks that ExecStart exists: point it at the staged binary.
    const verifyDir = tempDir('crewbell-unit-');
    try {
      const local = path.join(verifyDir, 'crewbell.service');
      writeFileSync(local, unit.replace('ExecStart=/usr/local/bin/crewbell', `ExecStart=${binary}`));
      const verify = spawnSync('systemd-analyze', ['verify', local], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(verify.status, 0, verify.stderr);
      assert.equal(verify.stderr.trim(), '', 'no warnings');
    } finally {
      rmSync(verifyDir, { recursive: true, force: true });
    }
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
});

test('the README lists every serve setting with its default', () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  for (const flag of serveFlags) {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`--${flag.name}\``));
    assert.ok(row, `README settings table has --${flag.name}`);
    assert.ok(row.includes(envName(flag.name)), `README row for --${flag.name} names ${envName(flag.name)}`);
    if (flag.default !== undefined)
      assert.ok(row.includes(`\`${flag.default}\``), `README row for --${flag.name} shows its default ${flag.default}`);
  }
});
