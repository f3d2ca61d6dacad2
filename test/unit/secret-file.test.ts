// secret.key has one writer (issue 18): src/push/secret-file.ts, used by serve's first start,
// `secret import` and `restore`. It never follows a link and leaves no temp file behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readSecretFile, writeSecretFile } from '../../src/push/secret-file.ts';

const SRC = path.resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : [],
  );
}

test('no module but push/secret-file.ts writes a file where the secret key is named', () => {
  const writers = sourceFiles(SRC).filter((file) => {
    const text = readFileSync(file, 'utf8');
    return /SECRET_KEY_FILE|secret\.key/.test(text) && /writeFileSync\(|createFileDurably\(|writeSync\(/.test(text);
  });
  assert.deepEqual(
    writers.map((f) => path.relative(SRC, f)),
    ['push/secret-file.ts'],
  );
});

test('written through a temp file (none left), mode 0600, replaced only when asked; a link is refused, its target untouched', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'crewbell-secret-'));
  try {
    assert.equal(writeSecretFile(dir, 'one\n', false), true);
    assert.equal(writeSecretFile(dir, 'two\n', false), false, 'kept without replace');
    assert.equal(readSecretFile(dir), 'one\n');
    assert.equal(writeSecretFile(dir, 'two\n', true), true);
    assert.equal(readSecretFile(dir), 'two\n');
    assert.equal(statSync(path.join(dir, 'secret.key')).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['secret.key']);

    rmSync(path.join(dir, 'secret.key'));
    const target = path.join(dir, 'elsewhere');
    symlinkSync(target, path.join(dir, 'secret.key'));
    assert.throws(() => writeSecretFile(dir, 'three\n', true), /not a plain file \(a link\?\): refusing/);
    assert.throws(() => readSecretFile(dir), /symbolic link: refusing/);
    assert.ok(!existsSync(target));
    assert.ok(lstatSync(path.join(dir, 'secret.key')).isSymbolicLink());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
