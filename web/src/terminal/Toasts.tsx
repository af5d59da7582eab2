import type { PtyClient, Toast } from './PtyClient';

/** Short-lived messages over the panel (server errors, refused input). */
export function Toasts({ client, toasts }: { client: PtyClient; toasts: readonly Toast[] }) {
  return (
    <div className="term-toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className="term-toast" data-testid="terminal-toast">
          <span>{t.message}</span>
          <button type="button" className="icon-btn" onClick={() => client.dismissToast(t.id)} aria-label="Dismiss message">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
