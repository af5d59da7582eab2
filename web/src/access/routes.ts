// Routes of the teams-and-access pages (issue 5). `routing.ts` hands every path this accepts to
// the lazily loaded `AccessApp`.

export type AccessRoute =
  | { page: 'signin'; next: string | null }
  | { page: 'signup'; next: string | null }
  | { page: 'account' }
  | { page: 'workspaces' }
  | { page: 'workspace'; workspaceId: string }
  | { page: 'invite'; secret: string }
  | { page: 'audit' };

/** Parses a pathname (and query) into an access route, or null when it is not one. */
export function parseAccessRoute(pathname: string, search = ''): AccessRoute | null {
  const next = safeNext(new URLSearchParams(search).get('next'));
  if (pathname === '/signin') return { page: 'signin', next };
  if (pathname === '/signup') return { page: 'signup', next };
  if (pathname === '/account') return { page: 'account' };
  if (pathname === '/workspaces') return { page: 'workspaces' };
  if (pathname === '/audit') return { page: 'audit' };
  let m = /^\/workspaces\/([A-Za-z0-9_-]{1,64})\/?$/.exec(pathname);
  if (m) return { page: 'workspace', workspaceId: m[1]! };
  m = /^\/invite\/([^/]{1,128})\/?$/.exec(pathname);
  if (m) return { page: 'invite', secret: decodeURIComponent(m[1]!) };
  return null;
}

/** Only same-app paths are followed after sign-in (never another origin). */
function safeNext(next: string | null): string | null {
  return next && /^\/(?!\/)[\w\-/.~%]*$/.test(next) ? next : null;
}

/** `/signin?next=<here>` */
export function signInPath(next?: string): string {
  return next ? `/signin?next=${encodeURIComponent(next)}` : '/signin';
}

export const workspacePath = (id: string): string => `/workspaces/${encodeURIComponent(id)}`;
