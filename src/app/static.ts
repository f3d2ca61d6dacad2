// The PWA, from the built web/dist (a SEA asset inside the binary). Unknown paths that look
// like app routes get index.html so deep links such as /logbook/:id open the app.
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../kit/deps.ts';
import { readAsset } from '../assets.ts';

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

function contentType(path: string): string {
  return TYPES[path.slice(path.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
}

/** Files whose names carry a content hash never change; the rest are revalidated. */
function cacheControl(path: string): string {
  if (/\.[0-9a-z]{8,}\.(js|css|png|svg|woff2)$/i.test(path)) return 'public, max-age=31536000, immutable';
  return 'no-cache';
}

export function staticRoutes(_deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const cache = new Map<string, Uint8Array | null>();
  const load = (rel: string): Uint8Array | null => {
    if (!cache.has(rel)) cache.set(rel, readAsset(`${WEB_ROOT}/${rel}`) ?? null);
    return cache.get(rel)!;
  };
  app.on(['GET', 'HEAD'], '*', (c) => {
    let rel = decodeURIComponent(c.req.path).replace(/^\/+/, '');
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    if (rel.split('/').some((part) => part === '..' || part.startsWith('.'))) return c.notFound();
    let body = load(rel);
    let path = rel;
    if (!body && !/\.[a-z0-9]+$/i.test(rel)) {
      body = load('index.html');
      path = 'index.html';
    }
    if (!body) return c.notFound();
    c.header('Content-Type', contentType(path));
    c.header('Cache-Control', cacheControl(path));
    if (path === 'sw.js') c.header('Service-Worker-Allowed', '/');
    return c.body(body as Uint8Array<ArrayBuffer>);
  });
  return app;
}
