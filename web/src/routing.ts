import { useSyncExternalStore } from 'react';
import { parseAccessRoute, type AccessRoute } from './access/routes';

// Client-side routing with the History API: `/` and `/r/<roomId>`. The server serves
// index.html for /r/*, so every route also works on a reload or a pasted link.

const NAVIGATE_EVENT = 'coderoom:navigate';

/** The routes of the app. */
export type Route = { page: 'home' } | { page: 'room'; roomId: string } | { page: 'access'; route: AccessRoute } | { page: 'not-found' };

/** Parses a pathname into a route. */
export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { page: 'home' };
  const m = /^\/r\/([^/]+)\/?$/.exec(pathname);
  if (m) return { page: 'room', roomId: decodeURIComponent(m[1]!) };
  // access (issue 5): sign-in, account, workspaces, invites, audit
  const access = parseAccessRoute(pathname, location.search);
  if (access) return { page: 'access', route: access };
  return { page: 'not-found' };
}

/** The path of a room's page. */
export function roomPath(roomId: string): string {
  return `/r/${encodeURIComponent(roomId)}`;
}

/** Goes to another page of the app without reloading. */
export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** Replaces the current URL's query (e.g. the open file) without adding a history entry. */
export function replaceSearch(params: Record<string, string | null>): void {
  const url = new URL(location.href);
  for (const [k, v] of Object.entries(params)) {
    if (v === null) url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  if (url.href !== location.href) history.replaceState(history.state, '', url);
}

function subscribe(cb: () => void): () => void {
  window.addEventListener('popstate', cb);
  window.addEventListener(NAVIGATE_EVENT, cb);
  return () => {
    window.removeEventListener('popstate', cb);
    window.removeEventListener(NAVIGATE_EVENT, cb);
  };
}

/** The current pathname, re-rendering on navigation. */
export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => location.pathname);
}
