import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { AuditEntry } from '@coderoom/shared/client';
import { useTranslation } from '../i18n';
import { downloadAudit, listAudit, type AuditFilters, type AuditScope } from './accessApi';
import { errorText, formatTime, SelectField, FormError } from './ui';

/** Kinds offered in the filter: every action family of collab-server/SPEC.md AUDIT1. */
const KINDS = ['auth', 'workspace', 'room', 'invite', 'lobby', 'participant', 'file', 'terminal', 'call', 'audit'] as const;

/** `datetime-local` value → ms, or undefined. */
function toMs(v: string): number | undefined {
  const ms = v ? new Date(v).getTime() : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** The audit log of a room, a workspace or the instance: filters, a table and exports. */
export function AuditView({ scope }: { scope: AuditScope }) {
  const { t, i18n } = useTranslation('access');
  const [form, setForm] = useState({ from: '', to: '', actor: '', kind: '' });
  const [filters, setFilters] = useState<AuditFilters>({});
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'csv' | 'jsonl' | null>(null);

  // scope is a fresh object on every render of the parent; its identity is its kind and id.
  const scopeKey = scope.kind === 'room' ? `room:${scope.roomId}` : scope.kind === 'workspace' ? `ws:${scope.workspaceId}` : 'all';
  const scopeRef = useRef(scope);
  scopeRef.current = scope;
  useEffect(() => {
    let live = true;
    setEntries(null);
    listAudit(scopeRef.current, filters).then(
      (e) => {
        if (!live) return;
        setEntries(e);
        setError(null);
      },
      (err: unknown) => live && setError(errorText(t, err)),
    );
    return () => {
      live = false;
    };
  }, [scopeKey, filters, t]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters({ from: toMs(form.from), to: toMs(form.to), actor: form.actor.trim() || undefined, action: form.kind ? `${form.kind}.*` : undefined });
  };
  const exportAs = async (format: 'csv' | 'jsonl') => {
    setBusy(format);
    try {
      await downloadAudit(scope, filters, format);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(null);
    }
  };
  const actors = [...new Map((entries ?? []).map((e) => [e.actor, e.actorName])).entries()];
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  return (
    <div className="audit-view" data-testid="audit-view">
      <form className="audit-filters" onSubmit={apply} aria-label={t('audit.filters')}>
        <div className="field">
          <label htmlFor="audit-from">{t('audit.from')}</label>
          <input id="audit-from" type="datetime-local" value={form.from} onChange={set('from')} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">{t('audit.to')}</label>
          <input id="audit-to" type="datetime-local" value={form.to} onChange={set('to')} />
        </div>
        <div className="field">
          <label htmlFor="audit-actor">{t('audit.person')}</label>
          <input id="audit-actor" list="audit-actors" value={form.actor} onChange={set('actor')} placeholder={t('audit.personHint')} data-testid="audit-actor" />
          <datalist id="audit-actors">
            {actors.map(([sub, name]) => (
              <option key={sub} value={sub}>
                {name}
              </option>
            ))}
          </datalist>
        </div>
        <SelectField label={t('audit.kind')} value={form.kind} onChange={set('kind')} data-testid="audit-kind">
          <option value="">{t('audit.allKinds')}</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`audit.kinds.${k}`)}
            </option>
          ))}
        </SelectField>
        <button type="submit" className="btn primary align-end" data-testid="audit-apply">
          {t('audit.apply')}
        </button>
      </form>
      <div className="row">
        <button type="button" className="btn tiny" onClick={() => void exportAs('csv')} disabled={busy !== null} data-testid="audit-export-csv">
          {busy === 'csv' ? t('audit.exporting') : t('audit.exportCsv')}
        </button>
        <button type="button" className="btn tiny" onClick={() => void exportAs('jsonl')} disabled={busy !== null} data-testid="audit-export-jsonl">
          {busy === 'jsonl' ? t('audit.exporting') : t('audit.exportJsonl')}
        </button>
      </div>
      <FormError message={error} />
      {entries === null && !error && <p className="muted">{t('common.loading')}</p>}
      {entries?.length === 0 && <p className="muted">{t('audit.empty')}</p>}
      {entries && entries.length > 0 && (
        <div className="audit-table-wrap" tabIndex={0} aria-label={t('audit.table')}>
          <table className="audit-table" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">{t('audit.time')}</th>
                <th scope="col">{t('audit.person')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.target')}</th>
                <th scope="col">{t('audit.detail')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-action={e.action}>
                  <td className="nowrap">{formatTime(e.at, i18n.language)}</td>
                  <td title={e.actor}>{e.actorName || e.actor}</td>
                  <td className="mono">{e.action}</td>
                  <td className="mono ellipsis">{e.target ?? ''}</td>
                  <td className="mono small">{e.detail ? JSON.stringify(e.detail) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
