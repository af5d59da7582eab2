import { useState, type FormEvent } from 'react';
import { DisplayNameSchema, type Room } from '@coderoom/shared/client';
import { ApiError, joinRoom } from './api';
import { Field } from './Field';
import { Logo } from './Logo';
import { loadDisplayName, loadSub, saveDisplayName, saveSession, sessionFromJoin, type RoomSession } from './session';
import { firstIssue } from './validation';
import { errorMessage } from './errorMessage';
import { useTranslation } from './i18n';

interface Props {
  room: Room;
  onJoined: (session: RoomSession) => void;
}

/** Asks for a name (and whether to only watch) before entering a room for the first time. */
export function JoinForm({ room, onJoined }: Props) {
  const { t } = useTranslation();
  const [displayName, setDisplayName] = useState(loadDisplayName);
  const [viewer, setViewer] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = DisplayNameSchema.safeParse(displayName);
    setError(firstIssue(parsed, t('name.label')));
    if (!parsed.success) return;
    setBusy(true);
    setFormError(null);
    try {
      const res = await joinRoom(room.id, { displayName: parsed.data, role: viewer ? 'viewer' : 'editor', sub: loadSub(room.id) });
      saveDisplayName(parsed.data);
      const session = sessionFromJoin(res, parsed.data);
      saveSession(session);
      onJoined(session);
    } catch (err) {
      setFormError(err instanceof ApiError ? errorMessage(err) : t('joinForm.failed'));
      setBusy(false);
    }
  }

  return (
    <main className="center-page">
      <form className="card join-card" data-testid="join-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="join-room-title">
        <Logo />
        <p className="eyebrow">{t('joinForm.invited')}</p>
        <h1 id="join-room-title" className="room-title">
          {room.name}
        </h1>
        <Field
          label={t('name.label')}
          placeholder={t('name.placeholder')}
          value={displayName}
          onChange={(e) => setDisplayName(e.target.value)}
          error={error}
          maxLength={64}
          autoComplete="nickname"
          autoFocus
          data-testid="join-name-input"
        />
        <label className="checkbox">
          <input type="checkbox" checked={viewer} onChange={(e) => setViewer(e.target.checked)} data-testid="join-viewer-checkbox" />
          <span>
            {t('joinForm.viewer')}
            <span className="field-hint block">{t('joinForm.viewerHint')}</span>
          </span>
        </label>
        {formError && (
          <p className="form-error" role="alert">
            {formError}
          </p>
        )}
        <button type="submit" className="btn primary wide" disabled={busy} data-testid="join-submit">
          {busy ? t('joinForm.busy') : viewer ? t('joinForm.submitViewer') : t('joinForm.submit')}
        </button>
      </form>
    </main>
  );
}
