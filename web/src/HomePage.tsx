import { useState, type FormEvent } from 'react';
import { CreateRoomRequestSchema, DisplayNameSchema, RoomNameSchema } from '@coderoom/shared/client';
import { ApiError, createRoom } from './api';
import { Field } from './Field';
import { Logo } from './Logo';
import { roomIdFromInput } from './roomLink';
import { navigate, roomPath } from './routing';
import { loadDisplayName, saveDisplayName, saveSession, sessionFromJoin } from './session';
import { firstIssue } from './validation';

/** `/`: create a room, or join one by link or id. */
export function HomePage() {
  return (
    <main className="home">
      <header className="home-hero">
        <Logo />
        <h1>Code together, in real time.</h1>
        <p className="muted">Open a room, share the link, and edit the same files with live cursors — on your own server.</p>
      </header>
      <div className="home-cards">
        <CreateRoomCard />
        <JoinRoomCard />
      </div>
    </main>
  );
}

function CreateRoomCard() {
  const [roomName, setRoomName] = useState('');
  const [displayName, setDisplayName] = useState(loadDisplayName);
  const [errors, setErrors] = useState<{ room?: string | null; name?: string | null; form?: string | null }>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const room = firstIssue(RoomNameSchema.safeParse(roomName), 'Room name');
    const name = firstIssue(DisplayNameSchema.safeParse(displayName), 'Your name');
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
      setErrors({ form: err instanceof ApiError ? err.message : 'Could not create the room.' });
      setBusy(false);
    }
  }

  return (
    <form className="card" data-testid="create-room-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="create-title">
      <h2 id="create-title">Create a room</h2>
      <Field
        label="Room name"
        placeholder="e.g. Payments review"
        value={roomName}
        onChange={(e) => setRoomName(e.target.value)}
        error={errors.room}
        maxLength={100}
        autoComplete="off"
        data-testid="room-name-input"
      />
      <Field
        label="Your name"
        placeholder="How others see you"
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
        {busy ? 'Creating…' : 'Create room'}
      </button>
      <p className="field-hint">You will be the room’s host.</p>
    </form>
  );
}

function JoinRoomCard() {
  const [link, setLink] = useState('');
  const [error, setError] = useState<string | null>(null);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!link.trim()) return setError('Paste an invite link or a room id');
    const roomId = roomIdFromInput(link);
    if (!roomId) return setError('That is not a CodeRoom link or room id');
    setError(null);
    navigate(roomPath(roomId));
  }

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="join-title" data-testid="join-room-form">
      <h2 id="join-title">Join a room</h2>
      <Field
        label="Invite link or room id"
        placeholder="https://…/r/AbCdEf123456"
        value={link}
        onChange={(e) => setLink(e.target.value)}
        error={error}
        autoComplete="off"
        spellCheck={false}
        data-testid="join-link-input"
      />
      <button type="submit" className="btn wide" data-testid="join-link-submit">
        Continue
      </button>
      <p className="field-hint">Next you choose your name, and whether to join as a viewer.</p>
    </form>
  );
}
