import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, BadRequestError, errorsCounter, ForbiddenError, PayloadTooLargeError, UnauthorizedError, isOriginAllowed, toAppError, type ErrorCode, type Logger } from '@coderoom/shared';
import type { z } from 'zod';

/**
 * The Content-Security-Policy of every response: scripts, styles, fonts and workers only from
 * this origin; inline styles (CodeMirror and xterm inject <style> elements; React sets style
 * attributes); images from data: and blob: URLs (icons, downloads); media from blob: and
 * mediastream: (calls); sockets to this origin (`'self'` covers ws:/wss: of the same host);
 * no plugins, no framing, forms and <base> only to this origin.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers set on every HTTP response of the hub (SEC9). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(self), microphone=(self), display-capture=(self), geolocation=()',
});

/** Sets SECURITY_HEADERS on a response. */
export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}

/** Sends a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** Sends `{error:{code,message}}` with the error's HTTP status; unknown faults are logged and hidden. */
export function sendError(res: ServerResponse, err: unknown, logger: Logger): void {
  const app = toAppError(err);
  errorsCounter.inc({ code: app.code });
  if (!(err instanceof AppError)) logger.error({ err }, 'http | unexpected error');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, app.httpStatus, app.toBody());
}

/** Reads a JSON body of at most `maxBytes` and validates it with `schema`. */
export async function readJson<S extends z.ZodType>(req: IncomingMessage, schema: S, maxBytes: number): Promise<z.infer<S>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new BadRequestError('content-type must be application/json');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new PayloadTooLargeError(`body larger than ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new PayloadTooLargeError(`body larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequestError('body is not valid JSON');
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new BadRequestError(first ? `${first.path.join('.') || 'body'}: ${first.message}` : 'invalid body');
  }
  return result.data;
}

/**
 * CSRF check for cookie-authenticated calls that change state: the request must declare a JSON
 * body (a cross-site form cannot, and a cross-site fetch with it needs a CORS preflight this
 * server never grants) and its Origin, when sent, must be the Host's own (or one of `allowed`).
 */
export function requireSameOrigin(req: IncomingMessage, allowed: readonly string[] = []): void {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new BadRequestError('content-type must be application/json');
  if (!isOriginAllowed(req, allowed)) throw new ForbiddenError('cross-origin request refused');
}

/** Parses a request's query string with `schema` (BAD_REQUEST on failure). */
export function readQuery<S extends z.ZodType>(req: IncomingMessage, schema: S): z.infer<S> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const result = schema.safeParse(Object.fromEntries(url.searchParams));
  if (!result.success) {
    const first = result.error.issues[0];
    throw new BadRequestError(first ? `${first.path.join('.') || 'query'}: ${first.message}` : 'invalid query');
  }
  return result.data;
}

/** The value of cookie `name` in a request, or null. */
export function readCookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Whether the request reached us over HTTPS, directly or through a proxy that says so. */
export function isHttps(req: IncomingMessage): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted === true) return true;
  const proto = req.headers['x-forwarded-proto'];
  return (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase() === 'https';
}

/** The bearer token of a request, or throws UNAUTHORIZED. */
export function bearerToken(req: IncomingMessage): string {
  const m = /^Bearer ([^\s]+)$/.exec(req.headers.authorization ?? '');
  if (!m) throw new UnauthorizedError('missing bearer token');
  return m[1]!;
}

/** A route handler: gets the path parameters. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => Promise<void> | void;

/** How a route authenticates its caller (documented in /api/openapi.json). */
export type RouteAuth = 'none' | 'cookie' | 'bearer' | 'cookie-or-bearer';

/** What /api/openapi.json says about a route; schemas are the same zod schemas the handler validates with. */
export interface RouteDoc {
  summary: string;
  tag: string;
  auth: RouteAuth;
  /** JSON request body. */
  body?: z.ZodType;
  /** Query parameters (an object schema). */
  query?: z.ZodType;
  /** JSON answer on success. */
  response?: z.ZodType;
  /** Success status; 200 when absent. */
  status?: number;
  /** Media type of a non-JSON success answer. */
  produces?: string;
  /** Error codes the route documents beyond the ones every route may answer. */
  errors?: ErrorCode[];
}

/** A declared route, as the OpenAPI generator reads it. */
export interface RouteInfo {
  method: string;
  path: string;
  doc: RouteDoc | undefined;
}

interface Route {
  method: string;
  doc: RouteDoc | undefined;
  /** The path as declared (`/api/rooms/:id`), the `route` label of request metrics. */
  path: string;
  pattern: RegExp;
  keys: string[];
  handler: RouteHandler;
}

/** A small method + path router; `:name` segments become params. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, path: string, handler: RouteHandler, doc?: RouteDoc): this {
    const keys: string[] = [];
    const source = path
      .split('/')
      .map((seg) => {
        if (seg.startsWith(':')) {
          keys.push(seg.slice(1));
          return '([^/]+)';
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ method, path, doc, pattern: new RegExp(`^${source}$`), keys, handler });
    return this;
  }

  /** Every declared route, in declaration order. */
  list(): RouteInfo[] {
    return this.routes.map((r) => ({ method: r.method, path: r.path, doc: r.doc }));
  }

  /** Finds the handler for a request; `methodMismatch` when the path exists with other methods. */
  match(method: string, pathname: string): { handler: RouteHandler; params: Record<string, string>; path: string; doc: RouteDoc | undefined } | 'methodMismatch' | null {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.pattern.exec(pathname);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method) continue;
      const params: Record<string, string> = {};
      r.keys.forEach((k, i) => {
        try {
          params[k] = decodeURIComponent(m[i + 1]!);
        } catch {
          throw new BadRequestError('malformed percent-encoding in path');
        }
      });
      return { handler: r.handler, params, path: r.path, doc: r.doc };
    }
    return pathMatched ? 'methodMismatch' : null;
  }
}
