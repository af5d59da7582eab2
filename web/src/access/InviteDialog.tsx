import { useEffect, useState, type FormEvent } from 'react';
import { MAX_INVITE_USES, ROOM_PRESETS, type Invite, type Role, type RoomKind } from '@coderoom/shared/client';
import { useTranslation } from '../i18n';
import { createInvite, listInvites, revokeInvite } from './accessApi';
import { CheckField, errorText, formatTime, Modal, SelectField, FormFooter } from './ui';

/** Invite lifetimes offered, in seconds. */
const EXPIRIES = [3600, 86_400, 7 * 86_400, 30 * 86_400] as const;

/** `token` is a room token (from inside the room); without it the session cookie is used. */
interface Props {
  roomId: string;
  kind: RoomKind;
  token?: () => Promise<string>;
  onClose: () => void;
}

/** Makes an invite link; the link is shown once, with a copy button. */
export function InviteDialog({ roomId, kind, token, onClose }: Props) {
  const { t } = useTranslation('access');
  const [role, setRole] = useState<Role>(ROOM_PRESETS[kind].inviteRole);
  const [expires, setExpires] = useState<number>(86_400);
  const [maxUses, setMaxUses] = useState('10');
  const [allowGuests, setAllowGuests] = useState(true);
  const [link, setLink] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const uses = Number(maxUses);
    if (!Number.isInteger(uses) || uses < 1 || uses > MAX_INVITE_USES) return setError(t('invite.usesInvalid', { max: MAX_INVITE_USES }));
    setBusy(true);
    setError(null);
    try {
      const res = await createInvite(roomId, { role, expiresInSeconds: expires, maxUses: uses, allowGuests }, token ? await token() : undefined);
      setLink(location.origin + res.path);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  }

  async function copy() {
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
    } catch {
      (document.getElementById('invite-link-output') as HTMLInputElement | null)?.select();
    }
  }

  return (
    <Modal title={t('invite.title')} onClose={onClose} testId="invite-dialog">
      {link ? (
        <div className="access-stack">
          <p>{t('invite.shownOnce')}</p>
          <div className="row">
            <input id="invite-link-output" className="grow mono invite-link-input" readOnly value={link} onFocus={(e) => e.target.select()} aria-label={t('invite.link')} data-testid="invite-link" />
            <button type="button" className="btn primary" onClick={() => void copy()} data-testid="invite-copy">
              {copied ? t('invite.copied') : t('invite.copy')}
            </button>
          </div>
          <span className="visually-hidden" role="status">
            {copied ? t('invite.copied') : ''}
          </span>
          <div className="row end">
            <button type="button" className="btn" onClick={onClose} data-testid="invite-done">
              {t('common.done')}
            </button>
          </div>
        </div>
      ) : (
        <form className="access-stack" onSubmit={(e) => void submit(e)} noValidate>
          <SelectField label={t('invite.role')} value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="invite-role">
            {(['viewer', 'editor', 'host'] as const).map((r) => (
              <option key={r} value={r}>
                {t(`roles.${r}`)}
              </option>
            ))}
          </SelectField>
          <SelectField label={t('invite.expires')} value={expires} onChange={(e) => setExpires(Number(e.target.value))} data-testid="invite-expiry">
            {EXPIRIES.map((s) => (
              <option key={s} value={s}>
                {t(`invite.expiry.${s}`)}
              </option>
            ))}
          </SelectField>
          <div className="field">
            <label htmlFor="invite-uses">{t('invite.maxUses')}</label>
            <input id="invite-uses" type="number" min={1} max={MAX_INVITE_USES} value={maxUses} onChange={(e) => setMaxUses(e.target.value)} data-testid="invite-max-uses" />
          </div>
          <CheckField label={t('invite.allowGuests')} hint={t('invite.allowGuestsHint')} checked={allowGuests} onChange={setAllowGuests} testId="invite-guests" />
          <FormFooter error={error} busy={busy} label={busy ? t('invite.creating') : t('invite.create')} testId="invite-create">
            <button type="button" className="btn" onClick={onClose}>
              {t('common.cancel')}
            </button>
          </FormFooter>
        </form>
      )}
    </Modal>
  );
}

/** A room's invites with their state, and revoke. */
export function InviteList({ roomId, token, refresh = 0 }: { roomId: string; token?: () => Promise<string>; refresh?: number }) {
  const { t, i18n } = useTranslation('access');
  const [invites, setInvites] = useState<Invite[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const list = await listInvites(roomId, token ? await token() : undefined);
        if (live) setInvites(list);
      } catch (err) {
        if (live) setError(errorText(t, err));
      }
    })();
    return () => {
      live = false;
    };
  }, [roomId, token, refresh, t]);
  const revoke = async (id: string) => {
    try {
      setInvites(await revokeInvite(roomId, id, token ? await token() : undefined));
    } catch (err) {
      setError(errorText(t, err));
    }
  };
  if (error)
    return (
      <p className="form-error" role="alert">
        {error}
      </p>
    );
  if (!invites) return <p className="muted">{t('common.loading')}</p>;
  if (invites.length === 0) return <p className="muted">{t('invite.none')}</p>;
  const now = Date.now();
  return (
    <ul className="access-list" data-testid="invite-list">
      {invites.map((i) => {
        const state = i.revokedAt !== null ? 'revoked' : i.expiresAt <= now ? 'expired' : i.uses >= i.maxUses ? 'exhausted' : 'live';
        return (
          <li key={i.id} className="access-item" data-testid="invite-item" data-state={state}>
            <div className="grow">
              <div>
                {t(`roles.${i.role}`)} · {t('invite.usesOf', { uses: i.uses, max: i.maxUses })} {i.allowGuests && <span className="pill access-pill">{t('invite.guestsOk')}</span>}
              </div>
              <div className="muted small">{state === 'live' ? t('invite.expiresAt', { time: formatTime(i.expiresAt, i18n.language) }) : t(`invite.state.${state}`)}</div>
            </div>
            {state === 'live' && (
              <button type="button" className="btn tiny" onClick={() => void revoke(i.id)} data-testid="invite-revoke">
                {t('invite.revoke')}
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
