/** One security-relevant act, appended to the audit log. */
export interface AuditEvent {
  /** When it happened, ms since the epoch. */
  at: number;
  /** The room it happened in, or null for instance-wide acts. */
  roomId: string | null;
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

/** An audit log kept in a database: appended to, flushed, and read back. */
export interface AuditLog extends AuditSink {
  /** Resolves once every event appended so far is stored (or has failed and been logged). */
  flush(): Promise<void>;
  /** The newest events of a room, newest first. */
  recent(roomId: string, limit?: number): Promise<AuditEvent[]>;
}
