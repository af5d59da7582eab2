import { useState, type FormEvent } from 'react';
import { CreateRoomRequestSchema, DisplayNameSchema, RoomNameSchema } from '@coderoom/shared/client';
import { ApiError, createRoom } from './api';
import { Field } from './Field';
import { Logo } from './Logo';
import { roomIdFromInput } from './roomLink';
import { navigate, roomPath } from './routing';
import { loadDisplayName, saveDisplayName, saveSession, sessionFromJoin } from './session';
import { firstIssue } from './validation';
import { errorMessage } from './errorMessage';
import { useTranslation } from './i18n';
import { LanguagePicker } from './LanguagePicker';
import { ThemePicker } from './ThemePicker';
import { RecentRooms } from './RecentRooms';

/** `/`: create a room, or join one by link or id. */
export function HomePage() {
  const { t } = useTranslation();
  return (
    <main className="home">
      <div className="home-prefs">
        <a className="btn ghost" href="/workspaces" title={t('home.workspacesTitle')} data-testid="home-workspaces">
          {t('home.workspaces')}
        </a>
        <LanguagePicker />
        <ThemePicker />
      </div>
      <header className="home-hero">
        <Logo />
        <h1>{t('home.tagline')}</h1>
        <p className="muted">{t('home.intro')}</p>
      </header>
      <div className="home-cards">
        <CreateRoomCard />
        <JoinRoomCard />
      </div>
      <RecentRooms />
    </main>
  );
}

function CreateRoomCard() {
  const { t } = useTranslation();
  const [roomName, setRoomName] = useState('');
  const [displayName, setDisplayName] = useState(loadDisplayName);
  const [errors, setErrors] = useState<{ room?: string | null; name?: string | null; form?: string | null }>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const room = firstIssue(RoomNameSchema.safeParse(roomName), t('home.create.roomName'));
    const name = firstIssue(DisplayNameSchema.safeParse(displayName), t('name.label'));
    setErrors({ room, name });
    if (room || name) return;
    const req = CreateRoomRequestSchema.parse({ name: roomName, displayName });
    setBusy(true);
    try {
      const res = await createRoom(req.name, req.displayName);
      saveDisplayName(req.displayName);
      saveSession(sessionFromJoin(res, req.displayName));
      navigate(roomPath(res.room.id));
    } catch (err) {
      setErrors({ form: err instanceof ApiError ? errorMessage(err) : t('home.create.failed') });
      setBusy(false);
    }
  }

  return (
    <form className="card" data-testid="create-room-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="create-title">
      <h2 id="create-title">{t('home.create.title')}</h2>
      <Field
        label={t('home.create.roomName')}
        placeholder={t('home.create.roomPlaceholder')}
        value={roomName}
        onChange={(e) => setRoomName(e.target.value)}
        error={errors.room}
        maxLength={100}
        autoComplete="off"
        data-testid="room-name-input"
      />
      <Field
        label={t('name.label')}
        placeholder={t('name.placeholder')}
        value={displayName}
        onChange={(e) => setDisplayName(e.target.value)}
        error={errors.name}
        maxLength={64}
        autoComplete="nickname"
        data-testid="display-name-input"
      />
      {errors.form && (
        <p className="form-error" role="alert">
          {errors.form}
        </p>
      )}
      <button type="submit" className="btn primary wide" disabled={busy} data-testid="create-room-submit">
        {busy ? t('home.create.busy') : t('home.create.submit')}
      </button>
      <p className="field-hint">{t('home.create.hint')}</p>
    </form>
  );
}

function JoinRoomCard() {
  const { t } = useTranslation();
  const [link, setLink] = useState('');
  const [error, setError] = useState<string | null>(null);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!link.trim()) return setError(t('home.join.empty'));
    const roomId = roomIdFromInput(link);
    if (!roomId) return setError(t('home.join.invalid'));
    setError(null);
    navigate(roomPath(roomId));
  }

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="join-title" data-testid="join-room-form">
      <h2 id="join-title">{t('home.join.title')}</h2>
      <Field
        label={t('home.join.link')}
        placeholder="https://…/r/AbCdEf123456"
        value={link}
        onChange={(e) => setLink(e.target.value)}
        error={error}
        autoComplete="off"
        spellCheck={false}
        data-testid="join-link-input"
      />
      <button type="submit" className="btn wide" data-testid="join-link-submit">
        {t('home.join.submit')}
      </button>
      <p className="field-hint">{t('home.join.hint')}</p>
    </form>
  );
}
