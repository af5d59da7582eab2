// The control plane's audit log interface lives in shared, beside PgAuditLog (the standalone pty gateway writes it too).
export type { AuditFilter, AuditLog, AuditScope } from '@coderoom/shared';
