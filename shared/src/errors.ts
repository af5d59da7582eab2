/**
 * One table of error codes for every plane: the HTTP status a REST call answers with and the
 * WebSocket close code a socket is closed with (4000 + HTTP status, as Hocuspocus does).
 * Services never redeclare these and never parse an error message: they switch on `code`.
 */
export const ERRORS = {
  /** The request body, query or frame failed validation. */
  BAD_REQUEST: { httpStatus: 400, closeCode: 4400 },
  /** No token, or a token that is malformed, forged or expired. */
  UNAUTHORIZED: { httpStatus: 401, closeCode: 4401 },
  /** The token is valid but its role or room does not allow this. */
  FORBIDDEN: { httpStatus: 403, closeCode: 4403 },
  /** The room, document or route does not exist. */
  NOT_FOUND: { httpStatus: 404, closeCode: 4404 },
  /** The path exists but not with this method. */
  METHOD_NOT_ALLOWED: { httpStatus: 405, closeCode: 4405 },
  /** The request conflicts with current state (e.g. a file name already taken). */
  CONFLICT: { httpStatus: 409, closeCode: 4409 },
  /** A body or frame larger than the configured limit. */
  PAYLOAD_TOO_LARGE: { httpStatus: 413, closeCode: 4413 },
  /** Scale-out: another node owns this room's terminals and calls; ask `GET /api/rooms/:id/node` where. */
  WRONG_NODE: { httpStatus: 421, closeCode: 4421 },
  /** The client speaks another protocol version. */
  PROTOCOL_MISMATCH: { httpStatus: 426, closeCode: 4426 },
  /** An invite link whose expiry has passed (the web shows an "invite expired" page). */
  INVITE_EXPIRED: { httpStatus: 410, closeCode: 4410 },
  /** An invite link used as many times as it allows. */
  INVITE_EXHAUSTED: { httpStatus: 410, closeCode: 4410 },
  /** An invite link the host revoked. */
  INVITE_REVOKED: { httpStatus: 410, closeCode: 4410 },
  /** An invite for accounts only, used without signing in. */
  ACCOUNT_REQUIRED: { httpStatus: 401, closeCode: 4401 },
  /** A rate or count limit was hit. */
  RATE_LIMITED: { httpStatus: 429, closeCode: 4429 },
  /** An unexpected server fault; details are logged, never sent. */
  INTERNAL: { httpStatus: 500, closeCode: 4500 },
  /** The server is shutting down or not ready. */
  UNAVAILABLE: { httpStatus: 503, closeCode: 4503 },
} as const;

/** Every error code a client may see. */
export type ErrorCode = keyof typeof ERRORS;

/** The JSON body of every failed REST call. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** Base of every error a service raises on purpose. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly closeCode: number;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = ERRORS[code].httpStatus;
    this.closeCode = ERRORS[code].closeCode;
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

export class BadRequestError extends AppError { constructor(message: string) { super('BAD_REQUEST', message); } }
export class UnauthorizedError extends AppError { constructor(message = 'missing or invalid token') { super('UNAUTHORIZED', message); } }
export class ForbiddenError extends AppError { constructor(message: string) { super('FORBIDDEN', message); } }
export class NotFoundError extends AppError { constructor(message: string) { super('NOT_FOUND', message); } }
export class ConflictError extends AppError { constructor(message: string) { super('CONFLICT', message); } }
export class PayloadTooLargeError extends AppError { constructor(message: string) { super('PAYLOAD_TOO_LARGE', message); } }
export class ProtocolMismatchError extends AppError { constructor(message: string) { super('PROTOCOL_MISMATCH', message); } }
export class GoneError extends AppError { constructor(code: 'INVITE_EXPIRED' | 'INVITE_EXHAUSTED' | 'INVITE_REVOKED', message: string) { super(code, message); } }
export class RateLimitedError extends AppError { constructor(message: string) { super('RATE_LIMITED', message); } }
export class UnavailableError extends AppError { constructor(message: string) { super('UNAVAILABLE', message); } }

/** Turns anything thrown into an AppError; unknown faults become INTERNAL with a generic message. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError('INTERNAL', 'internal error');
}

/** Reverse lookup used by clients: which code a WebSocket close code stands for. */
export function errorCodeForClose(closeCode: number): ErrorCode | undefined {
  // First match: codes sharing a close code (the INVITE_* and ACCOUNT_REQUIRED REST-only codes) map to the general one.
  for (const [code, v] of Object.entries(ERRORS)) if (v.closeCode === closeCode) return code as ErrorCode;
  return undefined;
}
