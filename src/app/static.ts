// The PWA, from the built web/dist (SEA assets inside the binary). The set of files is read
// once at start, with their brotli and gzip copies made at build time; a request picks one.
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../kit/deps.ts';
import { listAssets, readAsset } from '../assets.ts';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  webmanifest: 'application/manifest+json',
  png: 'image/png',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
  txt: 'text/plain; charset=utf-8',
  woff2: 'font/woff2',
};

const WEB_ROOT = 'web/dist';

interface StaticFile {
  type: string;
  cacheControl: string;
  identity: Uint8Array;
  br?: Uint8Array;
  gzip?: Uint8Array;
}

function contentType(path: string): string {
  return TYPES[path.slice(path.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
}

/** Files whose names carry a content hash never change; the rest are revalidated. */
function cacheControl(path: string): string {
  if (/\.[0-9a-z]{8,}\.(js|css|png|svg|woff2)$/i.test(path)) return 'public, max-age=31536000, immutable';
  return 'no-cache';
}

let shipped: Map<string, StaticFile> | undefined;

/**
 * Every file of the built PWA by its URL path without the leading slash, read once per
 * process: a request for an unknown path finds nothing and leaves nothing behind. Inside the
 * binary the bytes are views into the executable's own mapping, not copies.
 */
export function staticFiles(): Map<string, StaticFile> {
  if (shipped) return shipped;
  const files = new Map<string, StaticFile>();
  const names = new Set(listAssets(WEB_ROOT));
  for (const name of names) {
    if (name.endsWith('.br') || name.endsWith('.gz')) continue;
    const identity = readAsset(name);
    if (!identity) continue;
    const file: StaticFile = { type: contentType(name), cacheControl: cacheControl(name), identity };
    if (names.has(`${name}.br`)) file.br = readAsset(`${name}.br`);
    if (names.has(`${name}.gz`)) file.gzip = readAsset(`${name}.gz`);
    files.set(name.slice(WEB_ROOT.length + 1), file);
  }
  shipped = files;
  return files;
}

/** The coding to send: brotli when the client takes it, else gzip, else none (q=0 refuses). */
export function pickEncoding(acceptEncoding: string | undefined, file: StaticFile): 'br' | 'gzip' | undefined {
  if (!acceptEncoding || (!file.br && !file.gzip)) return undefined;
  const accepted = new Set<string>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [coding, ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (coding && !(q && Number(q.slice(2)) === 0)) accepted.add(coding.trim());
  }
  if (file.br && (accepted.has('br') || accepted.has('*'))) return 'br';
  if (file.gzip && (accepted.has('gzip') || accepted.has('*'))) return 'gzip';
  return undefined;
}

export function staticRoutes(_deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const files = staticFiles();
  app.on(['GET', 'HEAD'], '*', (c) => {
    let rel = decodeURIComponent(c.req.path).replace(/^\/+/, '');
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    let path = rel;
    let file = files.get(rel);
    // Deep links such as /logbook/:id open the app; a missing file with an extension is 404.
    if (!file && !/\.[a-z0-9]+$/i.test(rel)) file = files.get((path = 'index.html'));
    if (!file) return c.notFound();
    const encoding = pickEncoding(c.req.header('accept-encoding'), file);
    const body = encoding === 'br' ? file.br! : encoding === 'gzip' ? file.gzip! : file.identity;
    c.header('Content-Type', file.type);
    c.header('Cache-Control', file.cacheControl);
    if (file.br || file.gzip) c.header('Vary', 'Accept-Encoding');
    if (encoding) c.header('Content-Encoding', encoding);
    c.header('Content-Length', String(body.byteLength));
    if (path === 'sw.js') c.header('Service-Worker-Allowed', '/');
    return c.body(body as Uint8Array<ArrayBuffer>);
  });
  return app;
}
