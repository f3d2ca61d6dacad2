// The PWA's files through the real app in-process: the brotli or gzip copy made at build time
// goes out by Accept-Encoding with Vary and the right lengths; the set of files is fixed at
// start, so unknown paths leave nothing behind; a signed-out first visit fetches at most
// 30 KiB of JavaScript over the wire, counted as bench/lighthouse.bench.ts counts it.
// Needs `make web` (make test-api builds it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { appForFile } from '../helpers/app.ts';
import { repoRoot } from '../helpers/server.ts';
import { pickEncoding, staticFiles } from '../../src/app/static.ts';

const crewbell = appForFile();
const dist = path.join(repoRoot, 'web/dist');
const html = (): string => readFileSync(path.join(dist, 'index.html'), 'utf8');
/** The app's entry script, from index.html. */
const entry = (): string => /<script type="module" src="\/([^"]+)"/.exec(html())![1]!;

async function get(
  urlPath: string,
  acceptEncoding?: string,
  method = 'GET',
): Promise<{ res: Response; bytes: Buffer }> {
  const headers: Record<string, string> = acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding };
  const res = await crewbell.server.fetch(`${crewbell.server.url}${urlPath}`, { method, headers });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

test('the build made brotli and gzip copies of the text files, and they open to the same bytes', () => {
  for (const rel of ['index.html', entry(), 'sw.js', 'manifest.webmanifest']) {
    const raw = readFileSync(path.join(dist, rel));
    assert.deepEqual(brotliDecompressSync(readFileSync(path.join(dist, `${rel}.br`))), raw, rel);
    assert.deepEqual(gunzipSync(readFileSync(path.join(dist, `${rel}.gz`))), raw, rel);
    assert.ok(statSync(path.join(dist, `${rel}.br`)).size < raw.length / 2, `${rel} shrinks`);
  }
});

test('a browser taking br gets the brotli copy, one taking only gzip the gzip copy, others the file itself; all with Vary', async () => {
  const js = `/${entry()}`;
  const raw = readFileSync(path.join(dist, entry()));
  const cases: Array<[string | undefined, string | null, (b: Buffer) => Buffer]> = [
    ['gzip, deflate, br, zstd', 'br', brotliDecompressSync],
    ['gzip, deflate', 'gzip', gunzipSync],
    ['br;q=0, gzip;q=0.8', 'gzip', gunzipSync],
    ['identity', null, (b) => b],
    [undefined, null, (b) => b],
  ];
  for (const [accept, coding, open] of cases) {
    const { res, bytes } = await get(js, accept);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-encoding'), coding, `Accept-Encoding: ${accept}`);
    assert.equal(res.headers.get('vary'), 'Accept-Encoding');
    assert.equal(Number(res.headers.get('content-length')), bytes.length);
    assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.deepEqual(open(bytes), raw);
  }
  // HEAD: the same headers, no body.
  const head = await get(js, 'br', 'HEAD');
  assert.equal(head.res.headers.get('content-encoding'), 'br');
  assert.equal(Number(head.res.headers.get('content-length')), statSync(path.join(dist, `${entry()}.br`)).size);
  assert.equal(head.bytes.length, 0);
});

test('deep links get index.html (compressed too); images go as they are; missing files are 404', async () => {
  const deep = await get('/logbook/3f1c/entry/x', 'br');
  assert.equal(deep.res.status, 200);
  assert.equal(deep.res.headers.get('content-encoding'), 'br');
  assert.equal(brotliDecompressSync(deep.bytes).toString(), html());
  const icon = await get('/icons/icon-192.png', 'br, gzip');
  assert.equal(icon.res.status, 200);
  assert.equal(icon.res.headers.get('content-encoding'), null);
  assert.equal(icon.res.headers.get('vary'), null);
  assert.deepEqual(icon.bytes, readFileSync(path.join(dist, 'icons/icon-192.png')));
  assert.equal((await get('/assets/nothing.js', 'br')).res.status, 404);
  assert.equal((await get(`/${entry()}.br`)).res.status, 404, 'the copies are not files of their own');
  assert.equal((await get('/robots.txt')).res.status, 200);
});

test('the set of files is fixed at start: thousands of unknown paths are answered and nothing is kept for them', async () => {
  const files = staticFiles();
  const known = [...files.keys()].sort();
  for (let i = 0; i < 2000; i++) {
    const missing = await get(`/assets/missing-${i}-${'x'.repeat(200)}.js`);
    assert.equal(missing.res.status, 404);
    const deep = await get(`/logbook/${i}-${'y'.repeat(200)}`);
    assert.equal(deep.res.status, 200);
  }
  assert.equal(staticFiles(), files, 'the same map');
  assert.deepEqual([...files.keys()].sort(), known, 'no key was added');
});

test('pickEncoding: brotli first, then gzip; q=0 refuses; * takes either', () => {
  const both = {
    type: '',
    cacheControl: '',
    identity: new Uint8Array(1),
    br: new Uint8Array(1),
    gzip: new Uint8Array(1),
  };
  assert.equal(pickEncoding('gzip, br', both), 'br');
  assert.equal(pickEncoding('GZIP', both), 'gzip');
  assert.equal(pickEncoding('br;q=0', both), undefined);
  assert.equal(pickEncoding('*', both), 'br');
  assert.equal(pickEncoding('br', { ...both, br: undefined }), undefined);
  assert.equal(pickEncoding(undefined, both), undefined);
});

/** The scripts a first visit fetches: the entry and, transitively, what it imports statically. */
function firstLoadScripts(): string[] {
  const seen = new Set<string>();
  const visit = (rel: string) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    const code = readFileSync(path.join(dist, rel), 'utf8');
    // esbuild's static imports: `import{a as b}from"./chunk.X.js"` or `import"./chunk.X.js"`;
    // import("./x.js") is a lazy chunk, fetched only when a screen or a button asks for it.
    for (const m of code.matchAll(/import\s*(?:[\w${},\s*]+from\s*)?["'](\.\/[^"']+\.js)["']/g)) {
      visit(path.posix.join(path.posix.dirname(rel), m[1]!));
    }
  };
  visit(entry());
  return [...seen];
}

test('index.html preloads exactly the scripts of the first load, and paints a shell before any script runs', () => {
  const preloaded = [...html().matchAll(/<link rel="modulepreload" href="\/([^"]+)">/g)].map((m) => m[1]!);
  assert.deepEqual(
    preloaded.sort(),
    firstLoadScripts()
      .filter((rel) => rel !== entry())
      .sort(),
  );
  assert.match(
    html(),
    /<div id="app"><div class="app"><div class="page loading" aria-busy="true"><header class="bar">/,
  );
});

test('a signed-out first visit fetches at most 30 KiB of JavaScript over the wire, counted as the browser does', async () => {
  // What Lighthouse's network audit counts for each script: the compressed body plus the
  // response head. The head is the status line and the app's headers as sent, plus the three
  // lines Node's HTTP server adds (Date, Connection, Keep-Alive: about 75 bytes).
  const NODE_HEAD_LINES = 'Date: Tue, 01 Dec 2026 21:46:38 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n';
  let wire = 0;
  const lines: string[] = [];
  for (const rel of firstLoadScripts()) {
    // Chromium's own Accept-Encoding on a page load.
    const { res, bytes } = await get(`/${rel}`, 'gzip, deflate, br, zstd');
    assert.equal(res.status, 200, rel);
    let head = `HTTP/1.1 ${res.status} ${res.statusText || 'OK'}\r\n${NODE_HEAD_LINES}\r\n`;
    res.headers.forEach((value, name) => {
      head += `${name}: ${value}\r\n`;
    });
    wire += head.length + bytes.length;
    lines.push(`${rel} ${head.length} + ${bytes.length} B`);
  }
  assert.ok(
    wire <= 30 * 1024,
    `first load ${(wire / 1024).toFixed(1)} KiB of JavaScript over the wire in ${lines.length} files:\n${lines.join('\n')}`,
  );
});
