// Builds what crewbell serves and ships.
//   node build.ts web      the PWA into web/dist
//   node build.ts binary   the PWA, then dist/crewbell-linux-x64, dist/crewbell-linux-arm64, dist/crewbell
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

// ---- the PWA -------------------------------------------------------------------------
// web/src/main.tsx → web/dist/assets/*.[hash].js|css (ES modules; every screen but the first,
// the passkey and push code and the QR encoder as lazy chunks), index.html pointing at them, sw.js and manifest.webmanifest at fixed names, the
// icons. The service worker gets the list of shell files and a hash of their contents, so a
// new build installs a new cache and drops the old one.

const WEB_OUT = 'web/dist';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(`${dir}/${d.name}`) : [`${dir}/${d.name}`],
  );
}

export async function buildWeb(options: { quiet?: boolean } = {}): Promise<{ jsGzipBytes: number }> {
  const esbuild = await import('esbuild');
  rmSync(WEB_OUT, { recursive: true, force: true });
  mkdirSync(`${WEB_OUT}/icons`, { recursive: true });
  mkdirSync(`${WEB_OUT}/assets`, { recursive: true });
  const vendorCss = {
    leaflet: copyHashed('node_modules/leaflet/dist/leaflet.css', 'leaflet'),
    uplot: copyHashed('node_modules/uplot/dist/uPlot.min.css', 'uplot'),
  };
  const app = await esbuild.build({
    // The export worker is a second entry: it shares chunks with the app and runs as a module worker.
    entryPoints: { app: 'web/src/main.tsx', 'export-worker': 'web/src/export/worker.ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    splitting: true,
    target: ['es2020', 'safari15', 'chrome100', 'firefox100'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: `${WEB_OUT}/assets`,
    entryNames: '[name].[hash]',
    chunkNames: '[name].[hash]',
    assetNames: '[name].[hash]',
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    // The map and chart libraries' style sheets, linked by their lazy chunks when a map or a
    // barograph is first drawn (the app's own CSS stays as small as it was).
    define: { __VENDOR_CSS__: JSON.stringify(vendorCss) },
  });
  const outputs = Object.entries(app.metafile.outputs);
  const entry = outputs.find(([, o]) => o.entryPoint === 'web/src/main.tsx');
  if (!entry) throw new Error('build.ts: the app entry produced no output');
  const url = (file: string) => `/${path.relative(WEB_OUT, file).split(path.sep).join('/')}`;
  const js = url(entry[0]);
  const css = url(entry[1].cssBundle ?? '');
  const worker = outputs.find(([, o]) => o.entryPoint === 'web/src/export/worker.ts');
  if (!worker) throw new Error('build.ts: the export worker produced no output');
  const workerMeta = `<meta name="crewbell-export-worker" content="${url(worker[0])}">\n</head>`;
  // The entry's static imports are asked for with the entry, not one round trip after it.
  const preload = entry[1].imports
    .filter((i) => i.kind === 'import-statement' && !i.external)
    .map((i) => `<link rel="modulepreload" href="${url(i.path)}">`)
    .join('\n');
  writeFileSync(
    `${WEB_OUT}/index.html`,
    readFileSync('web/index.html', 'utf8')
      .replace('{{js}}', js)
      .replace('{{css}}', css)
      .replace('{{preload}}', preload)
      .replace('</head>', workerMeta),
  );
  cpSync('web/manifest.webmanifest', `${WEB_OUT}/manifest.webmanifest`);
  cpSync('web/robots.txt', `${WEB_OUT}/robots.txt`);
  for (const file of readdirSync('web/icons')) {
    if (file.endsWith('.png') || file === 'icon.svg') cpSync(`web/icons/${file}`, `${WEB_OUT}/icons/${file}`);
  }

  const shell = walk(WEB_OUT).sort();
  const version = createHash('sha256');
  for (const file of shell) version.update(file).update(readFileSync(file));
  // The tile map needs the network for its tiles anyway: Leaflet is not kept for offline use.
  const onlineOnly = /^\/assets\/(leaflet[-.]|tile-map\.)/;
  const precache = shell.map(url).filter((u) => u !== '/index.html' && !onlineOnly.test(u));
  await esbuild.build({
    entryPoints: ['web/sw.ts'],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020', 'safari15', 'chrome100', 'firefox100'],
    outfile: `${WEB_OUT}/sw.js`,
    define: {
      __PRECACHE__: JSON.stringify(['/index.html', ...precache]),
      __CACHE_VERSION__: JSON.stringify(version.digest('hex').slice(0, 12)),
    },
    legalComments: 'none',
    logLevel: 'warning',
  });

  precompress();

  const jsFiles = walk(`${WEB_OUT}/assets`).filter((f) => f.endsWith('.js'));
  const gz = (f: string) => gzipSync(readFileSync(f), { level: 9 }).length;
  const jsGzipBytes = jsFiles.reduce((sum, f) => sum + gz(f), 0);
  if (!options.quiet) {
    for (const f of [...jsFiles, `${WEB_OUT}/sw.js`, ...walk(`${WEB_OUT}/assets`).filter((f) => f.endsWith('.css'))]) {
      console.log(`${f.padEnd(44)} ${String(statSync(f).size).padStart(7)} B  gzip ${String(gz(f)).padStart(6)} B`);
    }
    console.log(
      `PWA JavaScript (app + lazy chunks), gzip: ${(jsGzipBytes / 1024).toFixed(1)} KiB; first load: ${(gz(entry[0]) / 1024).toFixed(1)} KiB`,
    );
  }
  return { jsGzipBytes };
}

/** A library's style sheet as web/dist/assets/NAME.HASH.css; its URL. */
function copyHashed(from: string, name: string): string {
  const bytes = readFileSync(from);
  const file = `assets/${name}.${createHash('sha256').update(bytes).digest('hex').slice(0, 8)}.css`;
  writeFileSync(`${WEB_OUT}/${file}`, bytes);
  return `/${file}`;
}

/** Text files worth compressing; images (PNG) are compressed already. */
export const COMPRESSIBLE = /\.(js|css|html|webmanifest|svg|json|txt)$/;

/**
 * Brotli and gzip copies beside each text file (`app.[hash].js.br`, `.gz`), made once here
 * at the highest levels so the server only picks one by Accept-Encoding. A copy that would
 * not be smaller is not written. Made after the service worker, so its precache list holds
 * only the originals (the browser's cache stores them decoded).
 */
function precompress(): void {
  for (const file of walk(WEB_OUT).filter((f) => COMPRESSIBLE.test(f))) {
    const raw = readFileSync(file);
    const br = brotliCompressSync(raw, {
      params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: raw.length },
    });
    const gz = gzipSync(raw, { level: 9 });
    if (br.length < raw.length) writeFileSync(`${file}.br`, br);
    if (gz.length < raw.length) writeFileSync(`${file}.gz`, gz);
  }
}

// ---- the single binary ---------------------------------------------------------------
// esbuild bundles src/main.ts (and whatever it imports) into one CommonJS file; that file,
// schema.sql and every file under web/dist go into a Node SEA blob, which postject injects
// into a stripped copy of the pinned Node 24 for each architecture. The blob has no V8
// snapshot; the blob for the build machine's own architecture carries a V8 code cache
// (made by this very Node, so it matches), the other one does not, so it cross-builds.

// Imported under names of their own: the PWA section above has its own imports.
import * as binFs from 'node:fs';
import * as binPath from 'node:path';
import * as binChild from 'node:child_process';
import * as binCrypto from 'node:crypto';
import * as binModule from 'node:module';

const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const DIST = 'dist';
const WORK = 'dist/.build';
/** Node binaries for other architectures, from npm (`npm pack node-linux-<arch>`), cached here. */
const TOOLS = '.tools';
export const BINARY_ARCHS = ['x64', 'arm64'] as const;
export type BinaryArch = (typeof BINARY_ARCHS)[number];
const GNU_TRIPLE: Record<BinaryArch, string> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };

export function binaryPath(arch: BinaryArch): string {
  return binPath.join(DIST, `crewbell-linux-${arch}`);
}

function run(cmd: string, args: string[], options: { cwd?: string; quiet?: boolean } = {}): string {
  const result = binChild.spawnSync(cmd, args, { cwd: options.cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${cmd}: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${result.status}):\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

function onPath(tool: string): boolean {
  return binChild.spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/** When the source was last committed (a floor for `doctor`'s clock check), else now. */
function buildTime(): number {
  if (process.env.SOURCE_DATE_EPOCH) return Number(process.env.SOURCE_DATE_EPOCH) * 1000;
  const git = binChild.spawnSync('git', ['log', '-1', '--format=%ct'], { encoding: 'utf8' });
  const seconds = Number(git.stdout?.trim());
  return git.status === 0 && seconds > 0 ? seconds * 1000 : Date.now();
}

/**
 * Packages the server needs only on some requests or commands (passkey ceremonies, a QR code
 * on a terminal, an email), yet whose module set-up costs about 100 ms of start-up on a
 * Pi-class CPU. src/ imports them dynamically where they are used (so a start from source skips them too);
 * a CommonJS bundle would still evaluate them at start, so for these src/ gets a stand-in
 * whose export names are known at build time and which loads the real package on first use.
 */
export const LAZY_PACKAGES = ['@simplewebauthn/server', 'qrcode', 'nodemailer'];

function lazyPackages(): import('esbuild').Plugin {
  const requireHere = binModule.createRequire(import.meta.url);
  return {
    name: 'lazy-packages',
    setup(build) {
      const filter = new RegExp(`^(${LAZY_PACKAGES.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')})$`);
      build.onResolve({ filter }, (args) => {
        // Only crewbell's own imports get the stand-in; its own require() finds the package.
        if (args.namespace !== 'file' || !args.importer.startsWith(binPath.resolve('src') + binPath.sep))
          return undefined;
        return { path: args.path, namespace: 'lazy-package' };
      });
      build.onLoad({ filter: /.*/, namespace: 'lazy-package' }, (args) => {
        const names = Object.keys(requireHere(args.path) as object);
        return {
          resolveDir: binPath.resolve('.'),
          loader: 'js',
          contents: `
let real;
const load = () => (real ??= require(${JSON.stringify(args.path)}));
const names = ${JSON.stringify(names)};
module.exports = new Proxy({}, {
  get: (_, key) => load()[key],
  has: (_, key) => names.includes(key),
  ownKeys: () => names,
  getOwnPropertyDescriptor: (_, key) => (names.includes(key) ? { configurable: true, enumerable: true, writable: false, value: undefined } : undefined),
});`,
        };
      });
    },
  };
}

/** The server as one CommonJS file, as the binary runs it (test/e2e/chaos.test.ts starts it 100 times). */
export async function bundleServer(file: string): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: ['src/main.ts'],
    outfile: file,
    bundle: true,
    format: 'cjs', // a SEA's main script is CommonJS
    platform: 'node',
    target: 'node24',
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'eof',
    define: { CREWBELL_BUILD_TIME: String(buildTime()) },
    plugins: [lazyPackages()],
    // src/assets.ts reads import.meta.url only outside the binary.
    logOverride: { 'empty-import-meta': 'silent' },
    logLevel: 'warning',
  });
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of binFs.readdirSync(dir, { withFileTypes: true })) {
    const full = binPath.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out.sort();
}

/** Every SEA asset, keyed by its path from the repository root (what src/assets.ts asks for). */
export function binaryAssets(): Record<string, string> {
  const assets: Record<string, string> = { 'schema.sql': binPath.resolve('schema.sql') };
  for (const file of filesUnder('web/dist')) assets[file.split(binPath.sep).join('/')] = binPath.resolve(file);
  return assets;
}

function makeSeaBlob(bundle: string, assets: Record<string, string>, blob: string, codeCache: boolean): void {
  const config = binPath.join(WORK, `${binPath.basename(blob)}.sea-config.json`);
  binFs.writeFileSync(
    config,
    JSON.stringify(
      {
        main: binPath.resolve(bundle),
        output: binPath.resolve(blob),
        disableExperimentalSEAWarning: true,
        // Both are tied to the V8 build that makes the blob. A snapshot would need a special
        // entry; the code cache saves compiling the bundle at every start (about a third of
        // the start-up time) and is only valid for the Node that made it: the host's.
        useSnapshot: false,
        useCodeCache: codeCache,
        // A small young generation: under load V8 otherwise grows its heap to ~170 MB with
        // ~50 MB in use, too much for a 512 MB Pi (bench/load.bench.ts: RSS 235 MB → 135 MB).
        // serve slows the old generation's growth as well, once started. `make run` and
        // the tests' servers pass the same flag to node. NODE_OPTIONS adds to it.
        execArgv: ['--max-semi-space-size=1'],
        assets,
      },
      null,
      2,
    ),
  );
  run(process.execPath, ['--experimental-sea-config', config]);
}

/** The pinned Node for an architecture: this very Node for the host, else npm's node-linux-<arch>. */
function nodeFor(arch: BinaryArch): string {
  if (arch === process.arch) return binFs.realpathSync(process.execPath);
  const version = process.versions.node; // the blob and the runtime must be the same release
  const dir = binPath.resolve(TOOLS, `node-linux-${arch}-${version}`);
  const node = binPath.join(dir, 'bin/node');
  if (binFs.existsSync(node)) return node;
  binFs.mkdirSync(dir, { recursive: true });
  console.log(`build: fetching node-linux-${arch}@${version} from npm into ${binPath.relative('.', dir)}`);
  const tarball = run('npm', ['pack', `node-linux-${arch}@${version}`, '--silent', '--pack-destination', dir])
    .trim()
    .split('\n')
    .pop()!;
  run('tar', [
    'xzf',
    binPath.join(dir, tarball),
    '-C',
    dir,
    '--strip-components=1',
    'package/bin/node',
    'package/LICENSE',
  ]);
  binFs.rmSync(binPath.join(dir, tarball));
  if (!binFs.existsSync(node)) throw new Error(`npm's node-linux-${arch}@${version} has no bin/node`);
  return node;
}

/** How to run a binary of this architecture here: directly, under qemu-user, or not at all. */
export function runnerFor(arch: BinaryArch): string[] | undefined {
  if (arch === process.arch) return [];
  if (
    arch === 'arm64' &&
    onPath('qemu-aarch64-static') &&
    binFs.existsSync('/usr/aarch64-linux-gnu/lib/libstdc++.so.6')
  ) {
    return ['qemu-aarch64-static', '-L', '/usr/aarch64-linux-gnu'];
  }
  return undefined;
}

/** Strips debug info and symbols (about 18 MB) with the host's or the cross binutils' strip. */
function strip(file: string, arch: BinaryArch): boolean {
  const tools = arch === process.arch ? ['strip', `${GNU_TRIPLE[arch]}-strip`] : [`${GNU_TRIPLE[arch]}-strip`];
  const tool = tools.find(onPath);
  if (!tool) {
    console.log(
      `build: no ${tools.join(' or ')}: crewbell-linux-${arch} stays unstripped (Debian: binutils-${GNU_TRIPLE[arch]})`,
    );
    return false;
  }
  run(tool, [file]);
  return true;
}

/** postject, in a child process: its ELF library prints a warning per note section of Node's binary. */
function inject(file: string, blob: string): void {
  const cli = binModule.createRequire(import.meta.url).resolve('postject/dist/cli.js');
  run(process.execPath, [cli, file, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE]);
}

function sha256File(file: string): string {
  const hash = binCrypto.createHash('sha256').update(binFs.readFileSync(file)).digest('hex');
  binFs.writeFileSync(`${file}.sha256`, `${hash}  ${binPath.basename(file)}\n`);
  return hash;
}

async function buildFor(arch: BinaryArch, bundle: string, assets: Record<string, string>): Promise<void> {
  const blob = binPath.join(WORK, `crewbell-${arch}.blob`);
  const codeCache = arch === process.arch;
  makeSeaBlob(bundle, assets, blob, codeCache);
  console.log(`build: ${arch} blob ${kib(binFs.statSync(blob).size)}${codeCache ? ' with code cache' : ''}`);
  const out = binaryPath(arch);
  const tmp = binPath.join(WORK, `crewbell-linux-${arch}`);
  binFs.rmSync(tmp, { force: true });
  binFs.copyFileSync(nodeFor(arch), tmp);
  binFs.chmodSync(tmp, 0o755);
  const runner = runnerFor(arch);
  if (strip(tmp, arch) && runner)
    run(runner[0] ?? tmp, [...runner.slice(1), ...(runner.length ? [tmp] : []), '--version']);
  inject(tmp, blob);
  if (runner) {
    // The finished binary must start; not checkable without qemu.
    const version = run(runner[0] ?? tmp, [...runner.slice(1), ...(runner.length ? [tmp] : []), 'version']).trim();
    console.log(`build: ${binPath.basename(out)} runs: ${version}`);
  }
  binFs.renameSync(tmp, out);
  sha256File(out);
}

export async function buildBinary(): Promise<void> {
  await buildWeb();
  binFs.rmSync(WORK, { recursive: true, force: true });
  binFs.mkdirSync(WORK, { recursive: true });
  const bundle = binPath.join(WORK, 'crewbell.cjs');
  await bundleServer(bundle);
  const assets = binaryAssets();
  console.log(
    `build: ${binPath.basename(bundle)} ${kib(binFs.statSync(bundle).size)}, ${Object.keys(assets).length} assets`,
  );
  for (const arch of BINARY_ARCHS) await buildFor(arch, bundle, assets);
  // dist/crewbell: the host's architecture, for running it here.
  const host = BINARY_ARCHS.find((a) => a === process.arch);
  if (host) {
    binFs.rmSync(binPath.join(DIST, 'crewbell'), { force: true });
    binFs.copyFileSync(binaryPath(host), binPath.join(DIST, 'crewbell'));
    binFs.chmodSync(binPath.join(DIST, 'crewbell'), 0o755);
    sha256File(binPath.join(DIST, 'crewbell'));
  }
  binFs.rmSync(WORK, { recursive: true, force: true });
  for (const name of binFs
    .readdirSync(DIST)
    .filter((n) => n.startsWith('crewbell') && !n.endsWith('.sha256'))
    .sort()) {
    console.log(
      `build: ${binPath.join(DIST, name)} ${(binFs.statSync(binPath.join(DIST, name)).size / 1e6).toFixed(1)} MB`,
    );
  }
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

// ---- entry -----------------------------------------------------------------------------

const target = process.argv[2] ?? 'web';
if (import.meta.main) {
  if (target === 'web') await buildWeb();
  else if (target === 'binary') await buildBinary();
  else {
    console.error(`build.ts: unknown target "${target}" (web or binary)`);
    process.exit(2);
  }
}
