import { JoinResponseSchema, RefreshResponseSchema, RoomSchema, type ErrorCode, type JoinResponse, type Room } from '@coderoom/shared/client';
import { z } from 'zod';
import { i18next } from './i18n';

/** A failed API call: the server's error code (or NETWORK when it could not be reached). */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode | 'NETWORK',
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** One REST call: JSON in and out, the answer validated with `schema`, errors as ApiError. */
export async function call<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown, token?: string): Promise<z.infer<S>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError('NETWORK', 0, 'Could not reach the server. Check your connection and try again.');
  }
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const parsed = ErrorBodySchema.safeParse(json);
    if (parsed.success) throw new ApiError(parsed.data.error.code as ErrorCode, res.status, parsed.data.error.message);
    throw new ApiError(res.status === 404 ? 'NOT_FOUND' : 'INTERNAL', res.status, `The server answered ${res.status} ${res.statusText}.`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ApiError('INTERNAL', res.status, i18next.t('common:errors.badAnswer'));
  return parsed.data;
}

const RoomResponseSchema = z.object({ room: RoomSchema });
const AnySchema = z.unknown();

/** POST /api/rooms: creates a room; the creator is its host. */
export function createRoom(name: string, displayName: string): Promise<JoinResponse> {
  return call(JoinResponseSchema, 'POST', '/api/rooms', { name, displayName });
}

/** GET /api/rooms/:id */
export async function getRoom(roomId: string): Promise<Room> {
  return (await call(RoomResponseSchema, 'GET', `/api/rooms/${encodeURIComponent(roomId)}`)).room;
}

/** POST /api/rooms/:id/join; pass the `sub` from an earlier join to stay the same person. */
export function joinRoom(roomId: string, req: { displayName: string; role: 'editor' | 'viewer'; sub?: string }): Promise<JoinResponse> {
  return call(JoinResponseSchema, 'POST', `/api/rooms/${encodeURIComponent(roomId)}/join`, req);
}

/** POST /api/rooms/:id/token: exchanges a still-valid token for a fresh one. */
export function refreshToken(roomId: string, token: string): Promise<z.infer<typeof RefreshResponseSchema>> {
  return call(RefreshResponseSchema, 'POST', `/api/rooms/${encodeURIComponent(roomId)}/token`, undefined, token);
}

/** POST /api/rooms/:id/files */
export async function createFile(roomId: string, token: string, path: string): Promise<void> {
  await call(AnySchema, 'POST', `/api/rooms/${encodeURIComponent(roomId)}/files`, { path }, token);
}

/** POST /api/rooms/:id/files/rename */
export async function renameFile(roomId: string, token: string, from: string, to: string): Promise<void> {
  await call(AnySchema, 'POST', `/api/rooms/${encodeURIComponent(roomId)}/files/rename`, { from, to }, token);
}

/** POST /api/rooms/:id/files/delete */
export async function deleteFile(roomId: string, token: string, path: string): Promise<void> {
  await call(AnySchema, 'POST', `/api/rooms/${encodeURIComponent(roomId)}/files/delete`, { path }, token);
}
