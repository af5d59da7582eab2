import { AppError, BadRequestError, PayloadTooLargeError, PtyClientMessageSchema, type PtyClientMessage } from '@coderoom/shared/client';

/** The outcome of parsing one client frame: a message, or the error to answer with. */
export type ParseResult = { ok: true; msg: PtyClientMessage } | { ok: false; error: AppError };

/** Client message types, for a clear "unknown type" error. */
const KNOWN_TYPES: ReadonlySet<string> = new Set(PtyClientMessageSchema.options.map((o) => o.shape.type.value));

/**
 * Parses one untrusted frame: size first (before decoding), then UTF-8 JSON, then the protocol
 * schema. Never throws.
 */
export function parseClientMessage(data: Buffer | string, isBinary: boolean, maxBytes: number): ParseResult {
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  if (size > maxBytes) return { ok: false, error: new PayloadTooLargeError(`message is ${size} bytes; the limit is ${maxBytes} (PTY_MAX_MESSAGE_BYTES)`) };
  if (isBinary) return { ok: false, error: new BadRequestError('binary frames are not accepted; send JSON text') };
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch {
    return { ok: false, error: new BadRequestError('malformed JSON') };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: new BadRequestError('a message must be a JSON object') };
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) return { ok: false, error: new BadRequestError('unknown message type') };
  const parsed = PtyClientMessageSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { ok: false, error: new BadRequestError(`invalid ${type} message: ${where}${issue?.message ?? 'invalid'}`) };
  }
  return { ok: true, msg: parsed.data };
}
