// Builds what crewbell serves and ships.
//   node build.ts web      the PWA into web/dist
//   node build.ts binary   the PWA, then dist/crewbell-linux-x64, dist/crewbell-linux-arm64, dist/crewbell
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

// ---- the PWA -------------------------------------------------------------------------
// web/src/main.tsx → web/dist/assets/*.[hash].js|css (ES modules, the QR encoder as a lazy
// chunk), index.html pointing at them, sw.js and manifest.webmanifest at fixed names, the
// icons. The service worker gets the list of shell files and a hash of their contents, so a
// new build installs a new cache and drops the old one.

const WEB_OUT = 'web/dist';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(`${dir}/${d.name}`) : [`${dir}/${d.name}`]));
}

export async function buildWeb(options: { quiet?: boolean } = {}): Promise<{ jsGzipBytes: number }> {
  const esbuild = await import('esbuild');
  rmSync(WEB_OUT, { recursive: true, force: true });
  mkdirSync(`${WEB_OUT}/icons`, { recursive: true });
  const app = await esbuild.build({
    entryPoints: { app: 'web/src/main.tsx' },
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
  });
  const outputs = Object.entries(app.metafile.outputs);
  const entry = outputs.find(([, o]) => o.entryPoint === 'web/src/main.tsx');
  if (!entry) throw new Error('build.ts: the app entry produced no output');
  const url = (file: string) => '/' + path.relative(WEB_OUT, file).split(path.sep).join('/');
  const js = url(entry[0]);
  const css = url(entry[1].cssBundle ?? '');
  writeFileSync(`${WEB_OUT}/index.html`, readFileSync('web/index.html', 'utf8').replace('{{js}}', js).replace('{{css}}', css));
  cpSync('web/manifest.webmanifest', `${WEB_OUT}/manifest.webmanifest`);
  for (const file of readdirSync('web/icons')) {
    if (file.endsWith('.png') || file === 'icon.svg') cpSync(`web/icons/${file}`, `${WEB_OUT}/icons/${file}`);
  }

  const shell = walk(WEB_OUT).sort();
  const version = createHash('sha256');
  for (const file of shell) version.update(file).update(readFileSync(file));
  const precache = shell.map(url).filter((u) => u !== '/index.html');
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

  const jsFiles = walk(`${WEB_OUT}/assets`).filter((f) => f.endsWith('.js'));
  const gz = (f: string) => gzipSync(readFileSync(f), { level: 9 }).length;
  const jsGzipBytes = jsFiles.reduce((sum, f) => sum + gz(f), 0);
  if (!options.quiet) {
    for (const f of [...jsFiles, `${WEB_OUT}/sw.js`, ...walk(`${WEB_OUT}/assets`).filter((f) => f.endsWith('.css'))]) {
      console.log(`${f.padEnd(44)} ${String(statSync(f).size).padStart(7)} B  gzip ${String(gz(f)).padStart(6)} B`);
    }
    console.log(`PWA JavaScript (app + lazy chunks), gzip: ${(jsGzipBytes / 1024).toFixed(1)} KiB; first load: ${(gz(entry[0]) / 1024).toFixed(1)} KiB`);
  }
  return { jsGzipBytes };
}

// ---- the single binary ---------------------------------------------------------------

export async function buildBinary(): Promise<void> {
  await buildWeb();
  throw new Error('the single binary is not built yet');
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
