import { useEffect, useState } from 'react';
import { registerSW } from 'virtual:pwa-register';
import { useTranslation } from '../i18n';

/** How often an open tab asks the server for a new service worker, in ms. */
const UPDATE_CHECK_MS = 30 * 60_000;

/**
 * Registers the service worker and, when a new version has been deployed and is waiting,
 * offers to switch to it (the page reloads on the new version). Nothing is shown otherwise.
 */
export function UpdatePrompt() {
  const { t } = useTranslation();
  const [update, setUpdate] = useState<(() => Promise<void>) | null>(null);

  useEffect(() => {
    if (!('serviceWorker' in navigator) || !import.meta.env.PROD) return;
    let timer: ReturnType<typeof setInterval> | undefined;
    const updateSW = registerSW({
      onNeedRefresh: () => setUpdate(() => () => updateSW(true)),
      onRegisteredSW: (_url, registration) => {
        if (registration) timer = setInterval(() => void registration.update(), UPDATE_CHECK_MS);
      },
    });
    return () => clearInterval(timer);
  }, []);

  if (!update) return null;
  return (
    <div className="update-prompt" role="status" data-testid="update-prompt">
      <span>{t('update.available')}</span>
      <button type="button" className="btn tiny primary" data-testid="update-reload" onClick={() => void update()}>
        {t('update.reload')}
      </button>
      <button type="button" className="btn tiny ghost" onClick={() => setUpdate(null)}>
        {t('update.later')}
      </button>
    </div>
  );
}
