import { useEffect, useState } from 'react';
import { Icon } from './Icon';
import { inviteLink } from './roomLink';
import { useTranslation } from './i18n';

/** How long "Copied" stays on the button, in ms. */
const FEEDBACK_MS = 2000;

/** Copies the room's invite link to the clipboard. */
export function CopyInviteButton({ roomId }: { roomId: string }) {
  const { t } = useTranslation('room');
  const [result, setResult] = useState<'copied' | 'failed' | null>(null);

  useEffect(() => {
    if (result !== 'copied') return;
    const t = setTimeout(() => setResult(null), FEEDBACK_MS);
    return () => clearTimeout(t);
  }, [result]);

  async function copy() {
    const link = inviteLink(roomId);
    setResult((await copyText(link)) ? 'copied' : 'failed');
  }

  return (
    <>
      <button type="button" className="btn" onClick={() => void copy()} data-testid="copy-invite" aria-label={t('invite.copy')} title={inviteLink(roomId)}>
        <Icon name={result === 'copied' ? 'check' : 'link'} />
        <span className="btn-label">{result === 'copied' ? t('invite.copied') : t('invite.copy')}</span>
      </button>
      <span className="visually-hidden" role="status" aria-live="polite">
        {result === 'copied' ? t('invite.copiedStatus') : result === 'failed' ? t('invite.failedStatus', { link: inviteLink(roomId) }) : ''}
      </span>
      {result === 'failed' && (
        <span className="copy-fallback">
          {t('invite.fallback')} <input readOnly value={inviteLink(roomId)} onFocus={(e) => e.target.select()} aria-label={t('invite.link')} autoFocus />
        </span>
      )}
    </>
  );
}

/** Writes text to the clipboard; the Clipboard API needs a secure context, so fall back to a selection. */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    } finally {
      area.remove();
    }
  }
}
