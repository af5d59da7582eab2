import { Icon } from './Icon';

interface Props {
  /** Local changes the server has not acknowledged yet. */
  unsynced: number;
  offline: boolean;
}

/** Whether our edits have reached the server: "Saved" or "Saving…" (kept locally while offline). */
export function SyncStatus({ unsynced, offline }: Props) {
  const saving = unsynced > 0;
  const label = !saving ? 'Saved' : offline ? 'Unsaved — kept offline' : 'Saving…';
  return (
    <div
      className={`status sync-${saving ? 'saving' : 'saved'}`}
      data-testid="sync-status"
      data-state={saving ? 'saving' : 'saved'}
      role="status"
      aria-live="polite"
      title={saving && offline ? 'Your edits are kept in this tab and will be merged when the connection returns.' : undefined}
    >
      {saving ? <span className="sync-dot" aria-hidden="true" /> : <span className="sync-icon"><Icon name="check" size={14} /></span>}
      <span className="status-label">{label}</span>
    </div>
  );
}
