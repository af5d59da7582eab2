/** One security-relevant act, appended to the audit log. */
export interface AuditEvent {
  /** When it happened, ms since the epoch. */
  at: number;
  /** The room it happened in, or null for instance-wide acts. */
  roomId: string | null;
  /**
   * The workspace it happened in, when known without a lookup; the control plane's log fills it
   * in from the room otherwise.
   */
  workspaceId?: string | null;
  /** Token subject of whoever did it (`system` for the server itself). */
  actor: string;
  /** Their display name at the time. */
  actorName: string;
  /** What was done, dotted: `room.create`, `room.join`, `file.create`, `terminal.input`, ... */
  action: string;
  /** What it was done to (a file path, a terminal id), if anything. */
  target: string | null;
  /** Extra structured facts (never secrets). */
  detail: Record<string, unknown> | null;
}

/** Where planes append audit events; the control plane's database implements it. */
export interface AuditSink {
  append(event: AuditEvent): void;
}
