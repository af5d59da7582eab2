import type { PtyClient, Toast } from './PtyClient';
import { useTranslation } from '../i18n';

/** Short-lived messages over the panel (server errors, refused input). */
export function Toasts({ client, toasts }: { client: PtyClient; toasts: readonly Toast[] }) {
  const { t } = useTranslation();
  return (
    <div className="term-toasts" role="status" aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.id} className="term-toast" data-testid="terminal-toast">
          <span>{toast.message}</span>
          <button type="button" className="icon-btn" onClick={() => client.dismissToast(toast.id)} aria-label={t('actions.dismissMessage')}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
