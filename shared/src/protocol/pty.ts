import { z } from 'zod';
import { RoomIdSchema } from '../ids.js';
import { RoleSchema } from '../roles.js';
import { ERRORS, type ErrorCode } from '../errors.js';

/**
 * The shared-terminal protocol spoken on `/pty`: JSON text frames, one message per frame.
 * The client's first frame is `hello`; the server answers `welcome` or closes the socket with a
 * close code from ERRORS (reason in `PTY_CLOSE_REASONS`). Browser-safe: no node imports.
 */

/** Version of this protocol; a client sending another one is closed with PROTOCOL_MISMATCH (4426). */
export const PTY_PROTOCOL_VERSION = 1;
/** Scrollback lines a snapshot carries; clients give their xterm at least this many. */
export const PTY_SNAPSHOT_SCROLLBACK_LINES = 1000;
/** Smallest and largest terminal width, in columns. */
export const PTY_MIN_COLS = 2;
export const PTY_MAX_COLS = 500;
/** Smallest and largest terminal height, in rows. */
export const PTY_MIN_ROWS = 1;
export const PTY_MAX_ROWS = 200;
/** Longest terminal title, in characters. */
export const PTY_MAX_TITLE_CHARS = 100;

/** Reasons sent with each close code the gateway uses (the code alone is the contract). */
export const PTY_CLOSE_REASONS = {
  /** hello.protocolVersion differs from PTY_PROTOCOL_VERSION. */
  PROTOCOL_MISMATCH: 'protocol version mismatch',
  /** The first frame was not a valid hello. */
  BAD_HELLO: 'first message must be a valid hello',
  /** No hello within the handshake timeout, or a missing/invalid/expired token. */
  UNAUTHORIZED: 'unauthorized',
  /** The token admits to another room than the one asked for. */
  WRONG_ROOM: 'token is for another room',
  /** The token expired during the session and was not refreshed. */
  TOKEN_EXPIRED: 'token expired',
  /** The gateway is shutting down. */
  SHUTTING_DOWN: 'server shutting down',
  /** (with 4401) A host changed this person's role: refresh the token and reconnect to take it up. */
  ROLE_CHANGED: 'role changed, refresh the token',
  /** Scale-out: another node serves this room's terminals (close code WRONG_NODE); ask `GET /api/rooms/:id/node`. */
  WRONG_NODE: 'another node serves this room',
} as const;

/** Terminal ids: made by the server, 6–40 characters of [A-Za-z0-9_-]. */
export const TerminalIdSchema = z.string().regex(/^[A-Za-z0-9_-]{6,40}$/, 'invalid terminal id');
export type TerminalId = z.infer<typeof TerminalIdSchema>;

/** Recording ids: made by the server, 6–80 characters of [A-Za-z0-9_-]. */
export const RecordingIdSchema = z.string().regex(/^[A-Za-z0-9_-]{6,80}$/, 'invalid recording id');

/** A recording as `GET /api/rooms/:id/recordings` lists it (newest first). */
export const RecordingEntrySchema = z.object({
  /** Id used in download URLs. */
  id: RecordingIdSchema,
  /** Terminal title at the start of the recording. */
  title: z.string(),
  /** Terminal size at the start. */
  width: z.number(),
  height: z.number(),
  /** Start time, ms since the epoch. */
  startedAt: z.number(),
  /** File size so far, in bytes. */
  bytes: z.number(),
  /** Whether it is still being written. */
  active: z.boolean(),
});
export type RecordingEntry = z.infer<typeof RecordingEntrySchema>;

/** A sequence number of a terminal's output stream: 0 before any output, then 1, 2, ... */
export const SeqSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** A terminal width in columns. */
export const ColsSchema = z.number().int().min(PTY_MIN_COLS).max(PTY_MAX_COLS);
/** A terminal height in rows. */
export const RowsSchema = z.number().int().min(PTY_MIN_ROWS).max(PTY_MAX_ROWS);
/** A token subject as carried in the protocol. */
const SubSchema = z.string().min(1).max(128);

/** A participant as terminals list them (drivers, hands). */
export const PtyPersonSchema = z.object({ sub: z.string(), name: z.string() });
export type PtyPerson = z.infer<typeof PtyPersonSchema>;

/** Whether the shell runs, or how it ended. */
export const TerminalStatusSchema = z.discriminatedUnion('state', [
  /** The shell is running. */
  z.object({ state: z.literal('running') }),
  /** The shell exited with this code / signal (null when it exited normally). */
  z.object({ state: z.literal('exited'), code: z.number().int(), signal: z.number().int().nullable() }),
]);
export type TerminalStatus = z.infer<typeof TerminalStatusSchema>;

/** Everything a client needs to show a terminal's tab (not its screen). */
export const TerminalInfoSchema = z.object({
  id: TerminalIdSchema,
  title: z.string(),
  cols: z.number().int(),
  rows: z.number().int(),
  status: TerminalStatusSchema,
  /** Who may write: hosts always, plus whoever a host granted control. */
  drivers: z.array(PtyPersonSchema),
  /** Raised hands, oldest first. */
  hands: z.array(PtyPersonSchema),
  /** The recording in progress, if any. */
  recording: z.object({ id: RecordingIdSchema, startedAt: z.number() }).nullable(),
  /** Sequence number of the latest output chunk. */
  seq: SeqSchema,
});
export type TerminalInfo = z.infer<typeof TerminalInfoSchema>;

const TerminalRef = { terminalId: TerminalIdSchema };

/** Messages a client sends. */
export const PtyClientMessageSchema = z.discriminatedUnion('type', [
  /** First frame: protocol version, access token, the room asked for, and optionally a terminal to resume. */
  z.object({
    type: z.literal('hello'),
    protocolVersion: z.number().int(),
    token: z.string().min(1).max(4096),
    roomId: RoomIdSchema,
    resume: z.object({ terminalId: TerminalIdSchema, lastSeq: SeqSchema }).strict().optional(),
  }).strict(),
  /** Replace the access token before it expires (same subject and room). */
  z.object({ type: z.literal('refresh'), token: z.string().min(1).max(4096) }).strict(),
  /** Start a new terminal in the room (hosts and editors). */
  z.object({ type: z.literal('create'), title: z.string().max(PTY_MAX_TITLE_CHARS).optional(), cols: ColsSchema.optional(), rows: RowsSchema.optional() }).strict(),
  /** Watch a terminal: a snapshot then live output, or a resume after `lastSeq` when the server still has it. */
  z.object({ type: z.literal('open'), ...TerminalRef, lastSeq: SeqSchema.optional() }).strict(),
  /** Stop watching a terminal. */
  z.object({ type: z.literal('detach'), ...TerminalRef }).strict(),
  /** Keystrokes / pasted text for the shell (drivers only). */
  z.object({ type: z.literal('input'), ...TerminalRef, data: z.string().min(1) }).strict(),
  /** The driver's window size; the terminal takes it and watchers are told. */
  z.object({ type: z.literal('resize'), ...TerminalRef, cols: ColsSchema, rows: RowsSchema }).strict(),
  /** Start the shell again after it exited (drivers only). */
  z.object({ type: z.literal('restart'), ...TerminalRef }).strict(),
  /** Give a participant control (hosts only). */
  z.object({ type: z.literal('grant'), ...TerminalRef, sub: SubSchema }).strict(),
  /** Take control away from a participant (hosts only). */
  z.object({ type: z.literal('revoke'), ...TerminalRef, sub: SubSchema }).strict(),
  /** Ask the host for control. */
  z.object({ type: z.literal('raiseHand'), ...TerminalRef }).strict(),
  /** Withdraw a raised hand; a host may lower anyone's by `sub`. */
  z.object({ type: z.literal('lowerHand'), ...TerminalRef, sub: SubSchema.optional() }).strict(),
  /** Start recording the terminal to an asciicast v2 file (hosts only). */
  z.object({ type: z.literal('recordStart'), ...TerminalRef }).strict(),
  /** Stop the recording in progress (hosts only). */
  z.object({ type: z.literal('recordStop'), ...TerminalRef }).strict(),
  /** Kill the shell and remove the terminal for everyone (hosts only). */
  z.object({ type: z.literal('closeTerminal'), ...TerminalRef }).strict(),
]);
export type PtyClientMessage = z.infer<typeof PtyClientMessageSchema>;
export type PtyClientMessageType = PtyClientMessage['type'];

/** Every error code a client may see in an `error` message. */
const ErrorCodeSchema = z.enum(Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]]);

/** Messages the server sends. */
export const PtyServerMessageSchema = z.discriminatedUnion('type', [
  /** Answer to hello: who you are and the room's terminals. */
  z.object({
    type: z.literal('welcome'),
    protocolVersion: z.literal(PTY_PROTOCOL_VERSION),
    you: z.object({ sub: z.string(), name: z.string(), role: RoleSchema }),
    terminals: z.array(TerminalInfoSchema),
  }),
  /** A terminal was added or changed (status, drivers, hands, recording, size). */
  z.object({ type: z.literal('terminal'), terminal: TerminalInfoSchema }),
  /** A terminal was closed and removed. */
  z.object({ type: z.literal('terminalClosed'), ...TerminalRef }),
  /** The screen of a terminal as of `seq` (xterm escape sequences: screen, scrollback, cursor, modes); output continues at seq + 1. */
  z.object({ type: z.literal('snapshot'), ...TerminalRef, seq: SeqSchema, cols: z.number().int(), rows: z.number().int(), data: z.string() }),
  /** `open` with lastSeq was honoured: output continues at `fromSeq` with no snapshot. */
  z.object({ type: z.literal('resumed'), ...TerminalRef, fromSeq: SeqSchema }),
  /** A chunk of terminal output, in sequence. */
  z.object({ type: z.literal('output'), ...TerminalRef, seq: SeqSchema, data: z.string() }),
  /** The terminal took a new size at this point of the stream; render at it. */
  z.object({ type: z.literal('resize'), ...TerminalRef, seq: SeqSchema, cols: z.number().int(), rows: z.number().int() }),
  /** The shell exited. */
  z.object({ type: z.literal('exit'), ...TerminalRef, code: z.number().int(), signal: z.number().int().nullable() }),
  /** A request failed; nothing changed. `terminalId`/`request` say which, when known. */
  z.object({ type: z.literal('error'), code: ErrorCodeSchema, message: z.string(), terminalId: z.string().optional(), request: z.string().optional() }),
]);
export type PtyServerMessage = z.infer<typeof PtyServerMessageSchema>;
