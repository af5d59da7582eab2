import { AppError, BadRequestError, MediaClientMessageSchema, PayloadTooLargeError, type MediaClientMessage } from '@coderoom/shared/client';

/** The outcome of parsing one client frame: a request, or the error to answer with (and the request id, when one could be read). */
export type ParseResult = { ok: true; msg: MediaClientMessage } | { ok: false; error: AppError; id: number | null; request?: string };

/** Request types, for a clear "unknown type" error. */
const KNOWN_TYPES: ReadonlySet<string> = new Set(MediaClientMessageSchema.options.map((o) => o.shape.type.value));

/**
 * Parses one untrusted frame: size first (before decoding), then UTF-8 JSON, then the protocol
 * schema. Never throws.
 */
export function parseClientMessage(data: Buffer | string, isBinary: boolean, maxBytes: number): ParseResult {
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  if (size > maxBytes) return { ok: false, id: null, error: new PayloadTooLargeError(`message is ${size} bytes; the limit is ${maxBytes}`) };
  if (isBinary) return { ok: false, id: null, error: new BadRequestError('binary frames are not accepted; send JSON text') };
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch {
    return { ok: false, id: null, error: new BadRequestError('malformed JSON') };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, id: null, error: new BadRequestError('a message must be a JSON object') };
  const rawId = (value as { id?: unknown }).id;
  const id = typeof rawId === 'number' && Number.isSafeInteger(rawId) && rawId >= 0 ? rawId : null;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) return { ok: false, id, error: new BadRequestError('unknown request type') };
  const parsed = MediaClientMessageSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { ok: false, id, request: type, error: new BadRequestError(`invalid ${type} request: ${where}${issue?.message ?? 'invalid'}`) };
  }
  return { ok: true, msg: parsed.data };
}
