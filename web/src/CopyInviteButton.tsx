import { useEffect, useState } from 'react';
import { Icon } from './Icon';
import { inviteLink } from './roomLink';

/** How long "Copied" stays on the button, in ms. */
const FEEDBACK_MS = 2000;

/** Copies the room's invite link to the clipboard. */
export function CopyInviteButton({ roomId }: { roomId: string }) {
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
      <button type="button" className="btn" onClick={() => void copy()} data-testid="copy-invite" aria-label="Copy invite link" title={inviteLink(roomId)}>
        <Icon name={result === 'copied' ? 'check' : 'link'} />
        <span className="btn-label">{result === 'copied' ? 'Copied!' : 'Copy invite link'}</span>
      </button>
      <span className="visually-hidden" role="status" aria-live="polite">
        {result === 'copied' ? 'Invite link copied' : result === 'failed' ? `Could not copy. The link is ${inviteLink(roomId)}` : ''}
      </span>
      {result === 'failed' && (
        <span className="copy-fallback">
          Copy this link: <input readOnly value={inviteLink(roomId)} onFocus={(e) => e.target.select()} aria-label="Invite link" autoFocus />
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
