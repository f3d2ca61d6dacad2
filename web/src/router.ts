// A tiny history router: the path decides the screen, links change it without a reload.
import { useStore } from './store.ts';

const listeners = new Set<() => void>();
/** Counts moves, so a screen re-renders on every one, even to the same path. */
let moves = 0;

function moved() {
  moves++;
  for (const listener of listeners) listener();
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  scrollTo(0, 0);
  moved();
}

addEventListener('popstate', moved);

function onMove(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

export function useLocation(): { path: string; query: URLSearchParams; hash: string } {
  useStore(onMove, () => moves);
  return { path: location.pathname, query: new URLSearchParams(location.search), hash: location.hash };
}

/** Matches "/logbook/:id/crew" style patterns; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.replace(/\/+$/, '').split('/');
  if (path === '/' && pattern === '/') return {};
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i]!.startsWith(':')) params[want[i]!.slice(1)] = decodeURIComponent(got[i]!);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

/** Same-origin link clicks stay in the app. */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
    return;
  const anchor = (event.target as Element).closest('a');
  if (!anchor || anchor.target || anchor.origin !== location.origin || anchor.hasAttribute('download')) return;
  event.preventDefault();
  navigate(anchor.pathname + anchor.search + anchor.hash);
}
