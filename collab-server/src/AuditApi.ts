import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { AuditListResponseSchema, AuditQuerySchema, ForbiddenError, NotFoundError, WorkspaceIdSchema, type AuditEntry, type AuditQuery } from '@coderoom/shared';
import type { AccountsApi } from './AccountsApi.js';
import type { AuditFilter, AuditLog, AuditScope } from './AuditLog.js';
import type { RoomAccess } from './RoomAccess.js';
import { userSub } from './RoomAccess.js';
import type { WorkspaceStore } from './WorkspaceStore.js';
import { readQuery, sendJson, type Router } from './http.js';

/** Columns of the CSV export, in order (detail is JSON text). */
export const AUDIT_CSV_COLUMNS = ['id', 'at', 'time', 'roomId', 'workspaceId', 'actor', 'actorName', 'action', 'target', 'detail'] as const;

export interface AuditApiDeps {
  audit: AuditLog;
  accountsApi: AccountsApi;
  roomAccess: RoomAccess;
  workspaces: WorkspaceStore;
}

/**
 * The audit log views (AUDIT rules): hosts read their room's rows, workspace owners their
 * workspace's, the instance admin every row; filter by time, actor and action; `format=csv` and
 * `format=jsonl` stream an export (itself audited as `audit.export`).
 */
export class AuditApi {
  constructor(private readonly d: AuditApiDeps) {}

  mount(router: Router): this {
    const doc = (summary: string, auth: 'cookie' | 'cookie-or-bearer') => ({
      summary: `${summary}; format=csv or jsonl streams an export`, tag: 'audit', auth, query: AuditQuerySchema, response: AuditListResponseSchema, errors: ['FORBIDDEN' as const, 'NOT_FOUND' as const],
    });
    router
      .add('GET', '/api/rooms/:id/audit', (req, res, p) => this.room(req, res, p.id!), doc("The room's audit log (hosts)", 'cookie-or-bearer'))
      .add('GET', '/api/workspaces/:id/audit', (req, res, p) => this.workspace(req, res, p.id!), doc("The workspace's audit log (owners)", 'cookie'))
      .add('GET', '/api/audit', (req, res) => this.all(req, res), doc('The whole audit log (the instance admin)', 'cookie'));
    return this;
  }

  private async room(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const query = readQuery(req, AuditQuerySchema);
    await this.d.roomAccess.room(id);
    const host = await this.d.roomAccess.host(req, id);
    await this.send(res, query, { roomId: id }, host, id);
  }

  private async workspace(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const query = readQuery(req, AuditQuerySchema);
    const { user } = await this.d.accountsApi.authenticate(req);
    if (!WorkspaceIdSchema.safeParse(id).success || !(await this.d.workspaces.get(id))) throw new NotFoundError('workspace not found');
    if ((await this.d.workspaces.role(id, user.id)) !== 'owner') throw new ForbiddenError('only owners may read the workspace log');
    await this.send(res, query, { workspaceId: id }, { sub: userSub(user), name: user.displayName }, null, id);
  }

  private async all(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const query = readQuery(req, AuditQuerySchema);
    const { user } = await this.d.accountsApi.authenticate(req);
    if (!user.isAdmin) throw new ForbiddenError('only the instance admin may read the whole log');
    await this.send(res, query, 'all', { sub: userSub(user), name: user.displayName }, null);
  }

  private async send(res: ServerResponse, q: AuditQuery, scope: AuditScope, reader: { sub: string; name: string }, roomId: string | null, workspaceId?: string): Promise<void> {
    const filter: AuditFilter = { scope, from: q.from, to: q.to, actor: q.actor, action: q.action, limit: q.limit };
    if (q.format === 'json') {
      const entries: AuditEntry[] = [];
      for await (const e of this.d.audit.query(filter)) entries.push(e);
      return sendJson(res, 200, { entries });
    }
    // An export is itself an audited act (before it streams, so it is in no export of its own).
    this.d.audit.append({
      at: Date.now(), roomId, workspaceId, actor: reader.sub, actorName: reader.name, action: 'audit.export', target: scope === 'all' ? 'all' : 'roomId' in scope ? scope.roomId : scope.workspaceId,
      detail: { format: q.format, from: q.from ?? null, to: q.to ?? null, actor: q.actor ?? null, action: q.action ?? null },
    });
    const rows = Readable.from(this.d.audit.query(filter));
    const name = `coderoom-audit-${new Date().toISOString().replace(/[:.]/g, '-')}.${q.format === 'csv' ? 'csv' : 'jsonl'}`;
    res.writeHead(200, {
      'content-type': q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'no-store',
    });
    if (q.format === 'csv') {
      // A cell starting with = + - @ or a control character is prefixed with ' so spreadsheets never run it as a formula.
      const csv = stringify({ header: true, columns: [...AUDIT_CSV_COLUMNS], cast: { string: (v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v) } });
      await pipeline(
        rows.map((e: AuditEntry) => ({ ...e, time: new Date(e.at).toISOString(), detail: e.detail === null ? '' : JSON.stringify(e.detail) })),
        csv,
        res,
      );
    } else {
      await pipeline(rows.map((e: AuditEntry) => `${JSON.stringify(e)}\n`), res);
    }
  }
}
