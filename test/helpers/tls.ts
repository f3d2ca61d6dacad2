// A throw-away certificate authority and a server certificate for 127.0.0.1 (and localhost),
// made with the openssl CLI, for local HTTPS push endpoints in tests and benches.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface TestCertificates {
  /** The CA's certificate (PEM): what clients trust, e.g. through NODE_EXTRA_CA_CERTS. */
  caFile: string;
  ca: string;
  key: Buffer;
  cert: Buffer;
}

/** Writes ca.crt, server.key and server.crt (valid one day) into dir. */
export function makeTestCertificates(dir: string, caName = 'crewbell test CA'): TestCertificates {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const p256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...p256, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', `/CN=${caName}`);
  openssl('req', ...p256, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  );
  const caFile = path.join(dir, 'ca.crt');
  return {
    caFile,
    ca: readFileSync(caFile, 'utf8'),
    key: readFileSync(path.join(dir, 'server.key')),
    cert: readFileSync(path.join(dir, 'server.crt')),
  };
}
