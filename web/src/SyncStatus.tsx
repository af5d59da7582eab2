import { Icon } from './Icon';
import { useTranslation } from './i18n';

interface Props {
  /** Local changes the server has not acknowledged yet. */
  unsynced: number;
  offline: boolean;
}

/** Whether our edits have reached the server: "Saved" or "Saving…" (kept locally while offline). */
export function SyncStatus({ unsynced, offline }: Props) {
  const { t } = useTranslation('room');
  const saving = unsynced > 0;
  const label = !saving ? t('sync.saved') : offline ? t('sync.offline') : t('sync.saving');
  return (
    <div
      className={`status sync-${saving ? 'saving' : 'saved'}`}
      data-testid="sync-status"
      data-state={saving ? 'saving' : 'saved'}
      role="status"
      aria-live="polite"
      title={saving && offline ? t('sync.offlineTitle') : undefined}
    >
      {saving ? <span className="sync-dot" aria-hidden="true" /> : <span className="sync-icon"><Icon name="check" size={14} /></span>}
      <span className="status-label">{label}</span>
    </div>
  );
}
