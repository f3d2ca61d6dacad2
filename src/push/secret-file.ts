// data-dir/secret.key, read and written in one place for serve, `secret import` and
// `restore`: never through a symbolic link, written through a temp file in the same folder,
// fsynced with its folder, and (run as root) given to the data dir's owner by its handle.
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fsyncDirectory } from '../db.ts';

export const SECRET_KEY_FILE = 'secret.key';

export class SecretFileRefused extends Error {
  override name = 'SecretFileRefused';
}

/** Whether data-dir/secret.key exists; a symbolic link there is refused, not followed. */
export function secretFileExists(dataDir: string): boolean {
  const file = path.join(dataDir, SECRET_KEY_FILE);
  let kind: ReturnType<typeof lstatSync>;
  try {
    kind = lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  if (!kind.isFile()) throw new SecretFileRefused(`${file} is not a plain file (a link?): refusing to use it`);
  return true;
}

/** The text of data-dir/secret.key, opened without following a link. */
export function readSecretFile(dataDir: string): string {
  const file = path.join(dataDir, SECRET_KEY_FILE);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP')
      throw new SecretFileRefused(`${file} is a symbolic link: refusing to follow it`);
    throw err;
  }
  try {
    if (!fstatSync(fd).isFile()) throw new SecretFileRefused(`${file} is not a plain file: refusing to read it`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes data-dir/secret.key (mode 0600): a new file in the same folder, fsynced, renamed
 * over the old name (a link there is replaced, never written through), then the folder
 * fsynced, so a power cut leaves the old key or the new one. Run as root, the file is given
 * to the data dir's owner through its handle, never by path. false when it exists and
 * `replace` is not set.
 */
export function writeSecretFile(dataDir: string, text: string, replace: boolean): boolean {
  const file = path.join(dataDir, SECRET_KEY_FILE);
  if (secretFileExists(dataDir) && !replace) return false;
  const temp = path.join(dataDir, `.${SECRET_KEY_FILE}.${process.pid}.${randomBytes(6).toString('hex')}`);
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    try {
      writeSync(fd, text);
      fchmodSync(fd, 0o600);
      if (process.getuid?.() === 0) {
        const { uid, gid } = statSync(dataDir);
        fchownSync(fd, uid, gid);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  fsyncDirectory(path.resolve(dataDir));
  return true;
}
