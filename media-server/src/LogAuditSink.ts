import type { AuditEvent, AuditSink, Logger } from '@coderoom/shared';

/** Standalone mode's audit sink: events go to the log as `audit` records (the hub passes its database instead). */
export class LogAuditSink implements AuditSink {
  constructor(private readonly logger: Logger) {}

  append(event: AuditEvent): void {
    this.logger.info({ audit: event }, 'audit | appended');
  }
}
